// The app's WebAssembly split along its pages (src/pages/mod.rs, scripts/split-build),
// as a person experiences it: every page opened directly by its URL with an
// empty cache works under the sub-path, each lazy page's code comes from the
// build's wasm-<hash>/ directory (and the specification preview fetches none
// of it), a visible loading state while a page's code downloads, a message
// with Try again (and a still usable app) when the download fails, and every
// page offline after one visit, including pages never opened online.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  useApp, watch, appReady, loadSample, screenshot, waitUntilSaved, BASE, DIST, SAMPLE, TIMEOUT,
} from './helpers.mjs';

/** A file the split build fetches on demand: a page's module or a shared chunk. */
const SPLIT_FILE = /\/(split|chunk)_[^/]*\.wasm$/;

/** The build's content-hashed WebAssembly directory and what its loader fetches. */
function splitBuild(dist = DIST) {
  const dirs = existsSync(dist) ? readdirSync(dist).filter((n) => /^wasm-[0-9a-f]{16}$/.test(n)) : [];
  assert.equal(dirs.length, 1, `${dist} has one wasm-<hash>/ directory (a split build: scripts/split-build), found ${JSON.stringify(dirs)}`);
  const dir = dirs[0];
  const loader = readFileSync(path.join(dist, dir, '__wasm_split.js'), 'utf8');
  // __wasm_split.js (wasm-split-cli): `const __chunk_N = makeLoad(() => { ... fetch(new URL("./chunk_N.wasm" ...`
  // and `export const __wasm_split_load_<module> = wrapAsyncCb(makeLoad(() => { ... "./split_<module>.wasm" ... }, [deps]));`
  const loads = new Map();
  const re = /const (__chunk_\d+|__wasm_split_load_\w+) = (?:wrapAsyncCb\()?makeLoad\(\(\) => \{[\s\S]*?new URL\("\.\/([^"]+)"[\s\S]*?\}\s*,\s*\[([^\]]*)\]\)/g;
  for (const [, name, file, deps] of loader.matchAll(re)) {
    loads.set(name, { file, deps: deps.split(',').map((d) => d.trim()).filter(Boolean) });
  }
  /** Every file module `name` (e.g. "settings") fetches: its own and its chunks'. */
  const filesOf = (name) => {
    const out = new Set();
    const visit = (key) => {
      const load = loads.get(key);
      if (!load || out.has(load.file)) return;
      out.add(load.file);
      load.deps.forEach(visit);
    };
    visit(`__wasm_split_load_${name}`);
    return out;
  };
  return { dir, filesOf, modules: [...loads.keys()].filter((k) => k.startsWith('__wasm_split_load_')).map((k) => k.slice(18)) };
}

/** The pages: how to reach them and what shows once they are there. */
const LAZY = {
  analyses: { name: 'Dynamic Analyses', heading: 'Dynamic Analyses' },
  analysis: { name: 'Dynamic Analysis' },
  'new-analysis': { name: 'New Dynamic Analysis', heading: 'Create a Dynamic Analysis' },
  prescan: { name: 'Prescan Details', heading: 'Prescan Details', testid: 'prescan-base-url' },
  settings: { name: 'Settings', heading: 'Settings', testid: 'settings-form' },
};

const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });

/**
 * Waits until the page shows `heading` (and test id `testid`), failing at
 * once with the page's message if its code could not be loaded.
 */
async function expectPage(page, { heading, testid }) {
  const shown = testid ? page.getByTestId(testid) : h1(page, heading);
  const failed = page.getByTestId('page-load-error');
  await shown.or(failed).first().waitFor({ state: 'visible', timeout: TIMEOUT });
  if (await failed.isVisible()) assert.fail(`the page could not be loaded: ${(await failed.innerText()).replace(/\s+/g, ' ').trim()}`);
  if (heading) await h1(page, heading).waitFor({ state: 'visible', timeout: TIMEOUT });
  if (testid) await page.getByTestId(testid).first().waitFor({ state: 'visible', timeout: TIMEOUT });
}

/**
 * The Settings page asks the app's own server whether it is a prescan server
 * (GET <sub-path>api/v1/health); the static test server answers 404, or
 * nothing offline, which the browser logs as a console error.
 */
function allowHealthProbe(page) {
  page.allowErrors(/^console\.error: Failed to load resource: .* \(http:\/\/[^ ]+\/api\/v1\/health\)$/);
}

/** A new, watched page of `context` (not navigated yet). */
async function newPage(app, context) {
  const page = await context.newPage();
  app.watched.push(watch(page));
  return page;
}

/**
 * Creates an analysis with an API specification scan of the Petstore sample
 * through the New analysis form, in a page of `context` that is closed once
 * the analysis is saved. Returns the analysis' name and the URL fragments of
 * its page and of its scan's Prescan Details.
 */
async function createAnalysis(app, context, name = 'Split pages analysis') {
  const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
  await page.getByTestId('new-name').waitFor();
  await page.getByTestId('new-spec-file').setInputFiles(SAMPLE);
  await page.getByTestId('new-spec').first().waitFor();
  assert.ok(await page.getByTestId('new-spec').first().isChecked());
  await page.getByTestId('new-name').fill(name);
  await page.getByTestId('new-start-now').check();
  await page.getByTestId('new-permission').check();
  await page.getByTestId('new-submit').click();
  await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor();
  const analysis = new URL(page.url()).hash;
  assert.match(analysis, /^#\/analyses\/\d+$/);
  const prescan = await page.getByTestId('view-prescan').first().getAttribute('href');
  assert.match(prescan, /^#\/analyses\/\d+\/scans\/\d+\/prescan$/);
  await waitUntilSaved(page, (v) => typeof v === 'string' && v.includes(name));
  await page.close();
  return { name, analysis, prescan };
}

describe(`each page opened by its URL with an empty cache, under ${BASE}`, () => {
  const app = useApp();
  const build = splitBuild();
  const wasmDir = `${BASE}${build.dir}/`;

  /**
   * Opens `hash` in a new page of `context` with the HTTP cache cleared, and
   * records what the browser (page, worker) requested and the server saw.
   */
  async function openCold(context, hash) {
    const page = await newPage(app, context);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
    const requested = [];
    const statuses = new Map();
    context.on('request', (r) => {
      if (!/^(blob|data):/.test(r.url())) requested.push(new URL(r.url()).pathname);
    });
    context.on('response', (r) => statuses.set(new URL(r.url()).pathname, r.status()));
    const serverFrom = app.server.requests.length;
    await page.goto(app.server.url + hash);
    return { page, requested, statuses, server: () => app.server.requests.slice(serverFrom) };
  }

  /** Every request under the sub-path; the first module and the split files from wasm-<hash>/. */
  async function checkRequests({ page, requested, statuses, server }, { lazy }) {
    await page.waitForLoadState('networkidle');
    assert.ok(requested.length > 0, 'requests were recorded');
    assert.deepEqual(requested.filter((p) => !p.startsWith(BASE)), [], `requests outside ${BASE}`);
    assert.deepEqual(server().filter((r) => !r.startsWith(`GET ${BASE}`)), [], `the server saw requests outside ${BASE}`);
    assert.ok(requested.includes(`${wasmDir}prescan_bg.wasm`), `the first module came from ${wasmDir}`);
    const split = requested.filter((p) => SPLIT_FILE.test(p));
    if (!lazy) {
      assert.deepEqual(split, [], 'the specification preview fetched no page code');
      return;
    }
    assert.ok(split.some((p) => /\/split_[^/]+\.wasm$/.test(p)), `a page module (split_*.wasm) was fetched: ${JSON.stringify(requested)}`);
    for (const p of split) {
      assert.equal(path.posix.dirname(p) + '/', wasmDir, `${p} is fetched from ${wasmDir}`);
      assert.ok(existsSync(path.join(DIST, build.dir, path.posix.basename(p))), `${p} is a file of the build`);
      assert.equal(statuses.get(p), 200, `${p} was served`);
      assert.ok(server().includes(`GET ${p}`), `${p} reached the server (not a cache)`);
    }
  }

  /** A context with an empty HTTP cache and IndexedDB, without the service worker. */
  const coldContext = () => app.newContext({ serviceWorkers: 'block' });

  it('#/ (Specification preview): shows, and fetches no page code at all', async () => {
    const cold = await openCold(await coldContext(), '#/');
    await appReady(cold.page);
    await expectPage(cold.page, { heading: 'Specification preview' });
    await checkRequests(cold, { lazy: false });
  });

  for (const [hash, key] of [['#/analyses', 'analyses'], ['#/analyses/new', 'new-analysis'], ['#/settings', 'settings']]) {
    it(`${hash} (${LAZY[key].name}): shows, its code fetched from wasm-<hash>/ under the sub-path`, async () => {
      const cold = await openCold(await coldContext(), hash);
      if (key === 'settings') allowHealthProbe(cold.page);
      await expectPage(cold.page, LAZY[key]);
      await checkRequests(cold, { lazy: true });
    });
  }

  it('#/analyses/{id} (Dynamic Analysis): shows the analysis, its code fetched from wasm-<hash>/', async () => {
    const context = await coldContext();
    const made = await createAnalysis(app, context, 'Opened by its URL');
    const cold = await openCold(context, made.analysis);
    await cold.page.getByTestId('analysis-name').filter({ hasText: made.name }).waitFor();
    await expectPage(cold.page, { heading: made.name });
    assert.equal(await cold.page.getByTestId('scan-row').count(), 1);
    await checkRequests(cold, { lazy: true });
  });

  it('#/analyses/{id}/scans/{scanId}/prescan (Prescan Details): shows, its code fetched from wasm-<hash>/', async () => {
    const context = await coldContext();
    const made = await createAnalysis(app, context, 'Prescan by its URL');
    const cold = await openCold(context, made.prescan);
    await expectPage(cold.page, LAZY.prescan);
    await cold.page.getByRole('link', { name: `Back to ${made.name}` }).waitFor();
    await checkRequests(cold, { lazy: true });
  });
});

describe('while a page’s code downloads, and when its download fails', () => {
  const app = useApp();
  const build = splitBuild();

  it('each lazy page shows “Loading the … page…” until its code is there, then the page', async () => {
    const context = await app.newContext({ serviceWorkers: 'block' });
    const made = await createAnalysis(app, context, 'Loading state analysis');
    const pages = [
      ['analyses', '#/analyses', LAZY.analyses],
      ['analysis', made.analysis, { heading: made.name }],
      ['new-analysis', '#/analyses/new', LAZY['new-analysis']],
      ['prescan', made.prescan, LAZY.prescan],
      ['settings', '#/settings', LAZY.settings],
    ];
    for (const [key, hash, shows] of pages) {
      const page = await newPage(app, context);
      if (key === 'settings') allowHealthProbe(page);
      // Hold every page-code download until the loading state has been looked at.
      let release;
      const gate = new Promise((resolve) => { release = resolve; });
      let held = 0;
      await page.route(SPLIT_FILE, async (route) => {
        held++;
        await gate;
        await route.fallback();
      });
      await page.goto(app.server.url + hash);
      const loading = page.getByTestId('page-loading');
      await loading.waitFor({ state: 'visible' });
      assert.equal((await loading.textContent()).trim(), `Loading the ${LAZY[key].name} page…`, key);
      assert.equal(await loading.getAttribute('role'), 'status');
      assert.ok(held > 0, `${key}: its code was being downloaded`);
      await screenshot(page, `page-loading-${key}`);

      release();
      await expectPage(page, shows);
      await loading.waitFor({ state: 'detached' });
      await page.unroute(SPLIT_FILE);
      await page.close();
    }
  });

  it('a failed download is a message with Try again; the rest of the app still works', async () => {
    const context = await app.newContext({ serviceWorkers: 'block' });
    const page = await app.open({ context });
    // The loader logs the failed fetch (console.error in __wasm_split.js), the browser the aborted request.
    page.allowErrors(/^console\.error: Failed to load resource: net::ERR_FAILED \(http:\/\/[^ ]+\/wasm-[0-9a-f]{16}\/(split|chunk)_[^/ ]+\.wasm\)$/);
    page.allowErrors(/^console\.error: TypeError: Failed to fetch[\s\S]* \(http:\/\/[^ ]+\/wasm-[0-9a-f]{16}\/__wasm_split\.js\)$/);
    allowHealthProbe(page);

    // Settings' code fails to download; the preview's own code (if the build
    // splits it off too) is left alone, so that the sample can load meanwhile.
    const preview = build.modules.includes('preview') ? build.filesOf('preview') : new Set();
    const blocked = [...build.filesOf('settings')].filter((f) => !preview.has(f));
    assert.ok(blocked.includes('split_settings.wasm'), `Settings has its own module: ${JSON.stringify(blocked)}`);
    const aborted = [];
    const abort = (route) => {
      const file = path.posix.basename(new URL(route.request().url()).pathname);
      if (!blocked.includes(file)) return route.fallback();
      aborted.push(file);
      return route.abort('failed');
    };
    await page.route(SPLIT_FILE, abort);

    await page.getByTestId('nav-settings').click();
    const error = page.getByTestId('page-load-error');
    await error.waitFor({ state: 'visible' });
    assert.equal(await error.getAttribute('role'), 'alert');
    await error.getByRole('heading', { name: 'The Settings page could not be loaded' }).waitFor();
    const retry = page.getByTestId('page-load-retry');
    assert.equal((await retry.textContent()).trim(), 'Try again');
    assert.ok(await retry.isEnabled());
    assert.ok(aborted.includes('split_settings.wasm'), `the Settings module was requested: ${JSON.stringify(aborted)}`);
    assert.equal(await page.getByTestId('page-loading').count(), 0, 'no loading state left behind');
    assert.equal(await h1(page, 'Settings').count(), 0);
    await screenshot(page, 'page-load-error-settings');

    // The frame still works: back to the preview, the sample loads.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Specification preview' }).click();
    await expectPage(page, { heading: 'Specification preview' });
    await loadSample(page);

    // Still failing: Settings says so again.
    await page.getByTestId('nav-settings').click();
    await error.waitFor({ state: 'visible' });

    // The network is back: Try again shows the page.
    await page.unroute(SPLIT_FILE, abort);
    await retry.click();
    await expectPage(page, LAZY.settings);
    assert.equal(await error.count(), 0, 'the message is gone');
  });
});

describe('offline after one visit', () => {
  const app = useApp();

  it('every page works with the network and server gone, also pages never opened online', async () => {
    const context = await app.newContext();
    // The one online visit: the specification preview only, no other page's code loaded.
    const page = await context.newPage();
    app.watched.push(watch(page));
    allowHealthProbe(page);
    const pageAsked = [];
    page.on('request', (r) => pageAsked.push(new URL(r.url()).pathname));
    await page.goto(app.server.url);
    await appReady(page);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, app.server.url);
    await page.reload();
    await appReady(page);
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker controls the page');

    assert.deepEqual(pageAsked.filter((p) => SPLIT_FILE.test(p)), [], 'online, the page itself loaded no other page’s code');
    assert.ok(app.server.requests.some((r) => /\/split_settings\.wasm$/.test(r)), 'the service worker precached the pages’ code');

    await context.setOffline(true);
    await app.server.close();
    const seen = app.server.requests.length;
    const offlineCode = [];
    context.on('response', (r) => {
      if (SPLIT_FILE.test(new URL(r.url()).pathname)) {
        offlineCode.push({ file: path.posix.basename(new URL(r.url()).pathname), status: r.status(), fromServiceWorker: r.fromServiceWorker() });
      }
    });

    await page.reload();
    await appReady(page);
    await page.getByTestId('nav-analyses').click();
    await expectPage(page, LAZY.analyses);
    await page.getByTestId('create-analysis').click();
    await expectPage(page, LAZY['new-analysis']);

    const name = 'Made while offline';
    await page.getByTestId('new-spec-file').setInputFiles(SAMPLE);
    await page.getByTestId('new-spec').first().waitFor();
    await page.getByTestId('new-name').fill(name);
    await page.getByTestId('new-start-now').check();
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await expectPage(page, { heading: name });
    const analysisHash = new URL(page.url()).hash;

    await page.getByTestId('view-prescan').first().click();
    await expectPage(page, LAZY.prescan);
    await page.getByTestId('nav-settings').click();
    await expectPage(page, LAZY.settings);
    await page.evaluate(() => { location.hash = '#/'; });
    await expectPage(page, { heading: 'Specification preview' });
    await loadSample(page);

    // Opened by URL, offline: a reload on an analysis, and a new tab on Settings.
    await page.evaluate((h) => { location.hash = h; }, analysisHash);
    await expectPage(page, { heading: name });
    await page.reload();
    await expectPage(page, { heading: name });
    const tab = await newPage(app, context);
    allowHealthProbe(tab);
    await tab.goto(app.server.url + '#/settings');
    await expectPage(tab, LAZY.settings);

    assert.equal(app.server.requests.length, seen, 'nothing reached the (stopped) server');
    for (const file of ['split_analyses.wasm', 'split_settings.wasm']) {
      assert.ok(offlineCode.some((c) => c.file === file), `${file} was loaded offline: ${JSON.stringify(offlineCode)}`);
    }
    assert.deepEqual(offlineCode.filter((c) => c.status !== 200 || !c.fromServiceWorker), [], 'offline, the pages’ code came from the service worker');
  });
});

describe('the preview of a loaded specification, a module of its own', () => {
  const app = useApp();
  const build = splitBuild();

  it('shows “Preparing the preview…” until its code is there; a failed download keeps the file and offers Try again', async () => {
    assert.ok(build.modules.includes('preview'), `the preview is a module of its own: ${JSON.stringify(build.modules)}`);
    const context = await app.newContext({ serviceWorkers: 'block' });
    const page = await app.open({ context });
    page.allowErrors(/^console\.error: Failed to load resource: net::ERR_FAILED \(http:\/\/[^ ]+\/wasm-[0-9a-f]{16}\/(split|chunk)_[^/ ]+\.wasm\)$/);
    page.allowErrors(/^console\.error: TypeError: Failed to fetch[\s\S]* \(http:\/\/[^ ]+\/wasm-[0-9a-f]{16}\/__wasm_split\.js\)$/);
    const files = build.filesOf('preview');

    // Its download fails: the file converted, the page says the preview could not be shown.
    let failing = true;
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    await page.route(SPLIT_FILE, async (route) => {
      const file = path.posix.basename(new URL(route.request().url()).pathname);
      if (!files.has(file)) return route.fallback();
      if (failing) return route.abort('failed');
      await gate;
      return route.fallback();
    });
    await page.getByTestId('try-sample').click();
    const error = page.getByTestId('preview-load-error');
    await error.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(await error.getAttribute('role'), 'alert');
    await error.getByRole('heading', { name: 'The preview could not be shown' }).waitFor();
    assert.match(await page.getByTestId('status').innerText(), /Loaded petstore\.yaml/);

    // Try again while the download is slow: the loading state, then the preview.
    failing = false;
    await page.getByTestId('preview-load-retry').click();
    const loading = page.getByTestId('preview-loading');
    await loading.waitFor({ state: 'visible' });
    assert.equal((await loading.textContent()).trim(), 'Preparing the preview…');
    assert.equal(await loading.getAttribute('role'), 'status');
    await screenshot(page, 'preview-loading');
    release();
    await page.getByTestId('spec-title').waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(await error.count(), 0);
    assert.equal(await loading.count(), 0);
  });
});
