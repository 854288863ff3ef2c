// Registers the service worker (public/sw.js, generated into the build by
// scripts/sw-precache.mjs): after one visit the app works offline. Registered
// relative to the page, so its scope is whatever sub-path the app is served from.
// Not on `trunk serve` (loopback port 8080, scripts/dev), where a cache would only
// hide fresh builds. A file rather than an inline script, so that the app runs
// under a Content-Security-Policy without 'unsafe-inline' for scripts.
if ("serviceWorker" in navigator) {
  if (location.port === "8080" && /^(127\.0\.0\.1|localhost|\[::1\])$/.test(location.hostname)) {
    navigator.serviceWorker.getRegistrations().then((rs) => rs.forEach((r) => r.unregister()));
  } else {
    // Once the app has started (its WebAssembly is then in the HTTP cache,
    // where the precache takes it from instead of downloading it again), or
    // 10 s after the page loaded if it never says so.
    let registered = false;
    const register = () => {
      if (registered) return;
      registered = true;
      navigator.serviceWorker.register("./sw.js").catch((e) => console.warn("prescan: offline mode unavailable:", e));
    };
    addEventListener("TrunkApplicationStarted", register, { once: true });
    addEventListener("load", () => setTimeout(register, 10000), { once: true });
  }
}
