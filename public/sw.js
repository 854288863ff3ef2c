// prescan's service worker: after one visit the app works offline.
//
// This file is a template. The build's post_build hook (scripts/sw-precache.mjs,
// wired in Trunk.toml) writes it to the root of the build output as `sw.js`, with
// VERSION and PRECACHE below filled in (a hash of every file's content, and the
// list of every file in the build, as URLs relative to this script), and removes
// the copy under public/. index.html registers it as `./sw.js`, so its scope is
// the folder the app is served from (/, /tools/prescan/, ...).
//
// Strategy:
// - install: precache every file of the build into a cache named after the
//   scope and VERSION (content-hashed files from the HTTP cache when the page
//   just fetched them, others revalidated); then take over at once.
// - activate: delete this scope's older caches; claim the open pages.
// - fetch, same-origin GET only (everything else goes to the network untouched):
//   - navigations: network first; offline (or no answer within 5 s), the
//     precached page (same URL without query, else index.html).
//   - precached files: cache first (they are content-hashed or versioned with
//     the whole cache), network if the cache lost them.
//   - anything else: not handled.
// Network answers are not written into the cache, so the cached index.html
// always matches the cached scripts and wasm it refers to.

const VERSION = 'unbuilt'; // replaced by scripts/sw-precache.mjs
const PRECACHE = []; // replaced by scripts/sw-precache.mjs

const SCOPE = new URL('./', self.location).href;
const CACHE_PREFIX = `prescan:${SCOPE}:`;
const CACHE = CACHE_PREFIX + VERSION;
const INDEX = new URL('./index.html', self.location).href;
const PRECACHED = new Set(PRECACHE.map((p) => new URL(p, self.location).href));
const NAVIGATION_TIMEOUT_MS = 5000;
// Trunk names the files whose content it hashes `<name>-<hash>.<ext>`, the
// hash in up to 16 hex digits (leading zeros left out); scripts/split-build
// puts the app's WebAssembly in a directory `wasm-<hash>/`.
const HASHED = /(-[0-9a-f]{8,16}(_bg)?\.[a-z]+|\/wasm-[0-9a-f]{16}\/[^/]+)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Each file is downloaded once per visit: a content-hashed file the
      // page has just fetched comes from the HTTP cache as it is (its name
      // changes with its content); any other file is revalidated.
      await cache.addAll(
        [...PRECACHED].map((url) => new Request(url, { cache: HASHED.test(url) ? 'force-cache' : 'no-cache' })),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE).map((n) => caches.delete(n)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (!url.href.startsWith(SCOPE)) return;
    event.respondWith(networkFirst(request, url));
    return;
  }
  const key = url.origin + url.pathname;
  if (PRECACHED.has(key)) event.respondWith(cacheFirst(request, key));
});

async function networkFirst(request, url) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), NAVIGATION_TIMEOUT_MS);
  try {
    const response = await fetch(request, { signal: controller.signal });
    // A server error while the cache has the app: prefer the app.
    if (response.status < 500) return response;
    return (await fromCache(url)) ?? response;
  } catch (err) {
    const cached = await fromCache(url);
    if (cached) return cached;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function fromCache(url) {
  const cache = await caches.open(CACHE);
  const path = url.origin + url.pathname;
  return (PRECACHED.has(path) && (await cache.match(path))) || (await cache.match(INDEX)) || undefined;
}

async function cacheFirst(request, key) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
  return response;
}
