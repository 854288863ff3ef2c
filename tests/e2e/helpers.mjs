// Shared helpers for the end-to-end tests: a served build, a headless Chromium
// (Debian's /usr/bin/chromium driven by playwright-core, nothing downloaded),
// pages that fail their test on any page error or console error, and spec
// generators.
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, repoRoot, defaultRoot } from './serve.mjs';

export { repoRoot, startServer };

/** Sub-path the app is served under in the tests (E2E_BASE overrides). */
export const BASE = process.env.E2E_BASE ?? '/tools/prescan/';
export const DIST = process.env.E2E_DIST ?? defaultRoot;
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(repoRoot, 'tests', 'e2e', 'screenshots');
export const SAMPLE = path.join(repoRoot, 'public', 'samples', 'petstore.yaml');
/** How long to wait for the app to do one thing (load a spec, render a table). */
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 20_000);

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (scripts/setup installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export function requireDist(dist = DIST) {
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: build first (trunk build --release --offline)`);
  }
}

/**
 * Registers before/after hooks in the current file (or describe block) that
 * serve the build under `base` and launch one Chromium. Returns an object:
 *   app.server  - see serve.mjs (url, origin, requests, close, ...)
 *   app.browser - the playwright Browser
 *   app.open({ path, context }) - new context + page at server.url + path,
 *       waits until the app is up; the page is watched: any page error or
 *       console error fails the current test (see page.allowErrors).
 * Contexts opened in a test are closed after it.
 */
export function useApp({ base = BASE, dist = DIST } = {}) {
  const app = { server: null, browser: null, contexts: [], watched: [] };
  before(async () => {
    requireDist(dist);
    app.server = await startServer({ root: dist, base });
    app.browser = await launchChromium();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  afterEach(async () => {
    const problems = app.watched.flatMap((w) => w.problems());
    app.watched = [];
    const contexts = app.contexts.splice(0);
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    assert.deepEqual(problems, [], 'the page reported errors');
  });
  app.newContext = async (options = {}) => {
    const context = await app.browser.newContext({ acceptDownloads: true, ...options });
    context.setDefaultTimeout(TIMEOUT);
    app.contexts.push(context);
    return context;
  };
  app.open = async ({ path: sub = '', context, waitForApp = true } = {}) => {
    context ??= await app.newContext();
    const page = await context.newPage();
    app.watched.push(watch(page));
    await page.goto(app.server.url + sub);
    if (waitForApp) await appReady(page);
    return page;
  };
  return app;
}

/**
 * Records page errors, console errors and failed requests of a page.
 * page.allowErrors(re) lets a test accept console errors matching `re`.
 */
export function watch(page) {
  const seen = [];
  const allowed = [];
  page.allowErrors = (re) => allowed.push(re);
  page.on('pageerror', (err) => seen.push(`pageerror: ${err.stack ?? err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.push(`console.error: ${msg.text()} (${msg.location()?.url ?? '?'})`);
  });
  page.on('crash', () => seen.push('the page crashed'));
  return {
    problems: () => seen.filter((s) => !allowed.some((re) => re.test(s))),
  };
}

/** Waits until the app has rendered (its "Try the sample" button is there). */
export async function appReady(page) {
  await page.getByTestId('try-sample').waitFor({ state: 'visible', timeout: TIMEOUT });
}

export const byId = (page, id) => page.getByTestId(id);

/** Waits until a specification is shown: the endpoints table with rows. */
export async function specShown(page) {
  await page.getByTestId('endpoints-table').waitFor({ state: 'visible', timeout: TIMEOUT });
  await page.getByTestId('endpoint-row').first().waitFor({ state: 'visible', timeout: TIMEOUT });
}

export async function loadSample(page) {
  await page.getByTestId('try-sample').click();
  await specShown(page);
}

/** Loads a file from disk through the file input. */
export async function uploadFile(page, file) {
  await page.getByTestId('file-input').setInputFiles(file);
}

/** Loads in-memory content through the file input, with the given file name. */
export async function uploadBuffer(page, name, content, mimeType = 'application/octet-stream') {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType, buffer: Buffer.from(content) });
}

export async function waitForError(page) {
  const el = page.getByTestId('load-error');
  await el.waitFor({ state: 'visible', timeout: TIMEOUT });
  return el;
}

export async function text(page, id) {
  return (await page.getByTestId(id).first().textContent())?.trim() ?? '';
}

/** Integer shown by a test id ("1,223 endpoints" -> 1223). */
export async function count(page, id) {
  const t = await text(page, id);
  const m = t.replace(/[,\u00a0\u202f ](?=\d{3}\b)/g, '').match(/\d+/);
  assert.ok(m, `no number in ${id}: ${JSON.stringify(t)}`);
  return Number(m[0]);
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A temp dir removed after the current file's tests. */
export async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prescan-e2e-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeTemp(dir, name, content) {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

/**
 * An OpenAPI 3.0 document with `n` paths, one GET each (plus `extra` fields
 * merged into each operation); `pad` adds that many characters of description
 * to each operation (to make big files).
 */
export function makeSpec(n, { title = `Generated API ${n}`, version = '1.0.0', pad = 0 } = {}) {
  const paths = {};
  const filler = pad ? 'lorem ipsum dolor sit amet '.repeat(Math.ceil(pad / 27)).slice(0, pad) : undefined;
  for (let i = 0; i < n; i++) {
    paths[`/items${i}/{id}`] = {
      get: {
        operationId: `getItem${i}`,
        summary: `Get item ${i}`,
        ...(filler ? { description: filler } : {}),
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'integer', example: 7 } },
          { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title, version },
    servers: [{ url: 'https://api.example.com/v1' }],
    paths,
  };
}

/** A small spec whose one operation has a path, query, header and body parameter. */
export function richSpec() {
  return {
    openapi: '3.0.3',
    info: { title: 'Rich API', version: '2.1.0' },
    servers: [{ url: 'https://rich.example.com/api' }],
    paths: {
      '/orders/{orderId}': {
        post: {
          operationId: 'updateOrder',
          summary: 'Update an order',
          parameters: [
            { name: 'orderId', in: 'path', required: true, schema: { type: 'string', example: 'A-17' } },
            { name: 'dryRun', in: 'query', required: true, schema: { type: 'boolean', example: true } },
            { name: 'X-Request-Id', in: 'header', required: true, schema: { type: 'string', example: 'req-42' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['quantity'],
                  properties: { quantity: { type: 'integer', example: 3 }, note: { type: 'string', example: 'gift' } },
                },
              },
            },
          },
          responses: { 200: { description: 'OK' } },
        },
      },
      '/orders': {
        get: { operationId: 'listOrders', summary: 'List orders', responses: { 200: { description: 'OK' } } },
      },
    },
  };
}

/** Clicks `testid` and returns the download: its suggested name and bytes. */
export async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const file = await dl.path();
  assert.ok(file, `the ${testid} download failed: ${await dl.failure()}`);
  return { name: dl.suggestedFilename(), bytes: await readFile(file) };
}

/** Asserts `har` is HAR 1.2 whose every entry has the fields HAR 1.2 requires. */
export function assertHar(har, expectedEntries) {
  assert.equal(har?.log?.version, '1.2', 'log.version');
  assert.ok(Array.isArray(har.log.entries), 'log.entries is an array');
  if (expectedEntries !== undefined) assert.equal(har.log.entries.length, expectedEntries, 'one entry per endpoint');
  for (const [i, e] of har.log.entries.entries()) {
    for (const key of ['startedDateTime', 'time', 'request', 'response', 'cache', 'timings']) {
      assert.ok(key in e, `entry ${i} has ${key}`);
    }
    assert.ok(!Number.isNaN(Date.parse(e.startedDateTime)), `entry ${i} startedDateTime is a date`);
    assert.equal(typeof e.request.method, 'string');
    assert.match(e.request.url, /^https?:\/\//, `entry ${i} request.url is absolute`);
  }
}

/** The analyses the app saved in this browser (its IndexedDB `state` text), or null. */
export async function storedAnalyses(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('prescan');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      let get;
      try {
        get = db.transaction('state').objectStore('state').get('analyses');
      } catch {
        // The app has not created its store yet: nothing saved.
        db.close();
        resolve(null);
        return;
      }
      get.onsuccess = () => { db.close(); resolve(get.result ?? null); };
      get.onerror = () => { db.close(); reject(get.error); };
    };
  }));
}

/**
 * Waits until what the app saved satisfies `predicate` (it saves 400 ms
 * after a change); returns the saved text.
 */
export async function waitUntilSaved(page, predicate) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const value = await storedAnalyses(page);
    let ok = false;
    try { ok = predicate(value); } catch { ok = false; }
    if (ok) return value;
    if (Date.now() > deadline) throw new Error(`the store was not saved as expected: ${String(value).slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Creates an analysis of one specification with the New analysis form
 * (Start now, permission given), from the page `page` is on, and waits for
 * its page. `file`: a path, or { name, mimeType, buffer }.
 */
export async function createAnalysis(page, baseUrl, { name, file }) {
  await page.goto(`${baseUrl}#/analyses/new`);
  await page.getByTestId('new-name').waitFor({ timeout: TIMEOUT });
  await page.getByTestId('new-spec-file').setInputFiles(file);
  await page.getByTestId('new-name').fill(name);
  await page.getByTestId('new-start-now').check();
  await page.getByTestId('new-permission').check();
  await page.getByTestId('new-submit').click();
  await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor({ timeout: TIMEOUT });
}

/** Creates an analysis of `file` (see createAnalysis) and opens its Prescan Details. */
export async function openPrescanOf(page, baseUrl, { name, file }) {
  await createAnalysis(page, baseUrl, { name, file });
  await page.getByTestId('view-prescan').first().click();
  await page.getByTestId('prescan-base-url').waitFor({ timeout: TIMEOUT });
}

/**
 * Stops the page's clock of `context` (before its pages open): time stands
 * still until a test moves it (`page.clock.runFor` fires the engine's ticks).
 */
export async function pauseClock(context) {
  await context.clock.install();
  await context.clock.pauseAt(Date.now() + 1_000);
}
