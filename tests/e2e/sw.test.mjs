// The service worker and its post-build step, tested on a dummy build (so they
// are checked whatever state the app is in): the precache list and version
// that scripts/sw-precache.mjs writes, offline use under a sub-path, updates
// that replace the old cache, and what the worker leaves alone.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, startServer, launchChromium, watch } from './helpers.mjs';

const GENERATOR = path.join(repoRoot, 'scripts', 'sw-precache.mjs');
const BASE = '/tools/prescan/';

/** The service worker registration script of the real app (public/register-sw.js). */
function registrationScript() {
  const html = readFileSync(path.join(repoRoot, 'index.html'), 'utf8');
  assert.match(html, /<script src="public\/register-sw\.js" defer><\/script>/, 'index.html loads public/register-sw.js');
  assert.doesNotMatch(html, /<script>/, 'index.html has no inline script of its own (Content-Security-Policy)');
  return readFileSync(path.join(repoRoot, 'public', 'register-sw.js'), 'utf8');
}

async function makeDist(dir, version) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'public', 'samples'), { recursive: true });
  await mkdir(path.join(dir, '.stage'), { recursive: true });
  await writeFile(
    path.join(dir, 'index.html'),
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>dummy</title><script>${registrationScript()}</script>` +
      `<link rel="stylesheet" href="./app-${version}.css"><script type="module" src="./app-${version}.js"></script></head><body></body></html>`,
  );
  await writeFile(
    path.join(dir, `app-${version}.js`),
    `const data = await (await fetch('./public/samples/data file.txt')).text();\n` +
      `document.body.innerHTML = '<p id="out">dummy app ${version}: ' + data + '</p>';\n`,
  );
  await writeFile(path.join(dir, `app-${version}.css`), 'body { color: rebeccapurple }\n');
  await writeFile(path.join(dir, 'public', 'samples', 'data file.txt'), `data ${version}`);
  await copyFile(path.join(repoRoot, 'public', 'sw.js'), path.join(dir, 'public', 'sw.js'));
  await writeFile(path.join(dir, '.stage', 'ignored.txt'), 'trunk staging leftovers are not precached');
}

function generate(dir) {
  return execFileSync(process.execPath, [GENERATOR, dir], { encoding: 'utf8', env: { ...process.env, TRUNK_SOURCE_DIR: repoRoot } });
}

function readSw(dir) {
  const sw = readFileSync(path.join(dir, 'sw.js'), 'utf8');
  const version = JSON.parse(sw.match(/^const VERSION = (.*);$/m)[1]);
  const list = JSON.parse(sw.match(/^const PRECACHE = (\[[\s\S]*?\]);$/m)[1]);
  return { sw, version, list };
}

describe('scripts/sw-precache.mjs', () => {
  let dir;
  before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'prescan-sw-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes sw.js with every file as a relative URL and a content version', async () => {
    await makeDist(dir, 'v1');
    const out = generate(dir);
    assert.match(out, /sw-precache: wrote/);
    assert.ok(!existsSync(path.join(dir, 'public', 'sw.js')), 'the template copy is removed');
    const { version, list } = readSw(dir);
    assert.match(version, /^[0-9a-f]{16}$/);
    assert.deepEqual(list, ['app-v1.css', 'app-v1.js', 'index.html', 'public/samples/data%20file.txt']);
    // Deterministic; and any content change gives a new version.
    generate(dir);
    assert.equal(readSw(dir).version, version);
    await writeFile(path.join(dir, 'public', 'samples', 'data file.txt'), 'changed');
    generate(dir);
    assert.notEqual(readSw(dir).version, version);
  });

  it('fails without an index.html', async () => {
    await rm(path.join(dir, 'index.html'));
    assert.throws(() => execFileSync(process.execPath, [GENERATOR, dir], { stdio: 'pipe' }));
  });
});

describe('the service worker (dummy build under a sub-path)', () => {
  let dir, server, browser;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'prescan-sw-'));
    await makeDist(dir, 'v1');
    generate(dir);
    server = await startServer({ root: dir, base: BASE, quiet: !process.env.SW_DEBUG });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cacheNames = (page) => page.evaluate(() => caches.keys());
  async function poll(check, what, ms = 15_000) {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) assert.fail(`timed out waiting: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const shown = (page) => page.locator('#out').textContent();

  it('precaches on first visit, then works offline; updates replace the old cache; leaves the rest alone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const w = watch(page);
    await page.goto(server.url);
    assert.equal(await shown(page), 'dummy app v1: data v1');
    const reg = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.ready;
      return { scope: r.scope, script: r.active.scriptURL };
    });
    assert.equal(reg.scope, server.url);
    assert.equal(reg.script, server.url + 'sw.js');
    const v1 = readSw(dir).version;
    assert.deepEqual(await cacheNames(page), [`prescan:${server.url}:${v1}`]);
    await page.reload();
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null));

    // Offline: the server answers nothing; the app still loads, with its data.
    server.setOnline(false);
    await context.setOffline(true);
    await page.reload();
    assert.equal(await shown(page), 'dummy app v1: data v1');
    // With a query string too (a navigation the cache has only without it).
    await page.goto(server.url + '?from=bookmark');
    assert.equal(await shown(page), 'dummy app v1: data v1');
    // Not precached, or not GET: not served from the cache.
    const notHandled = await page.evaluate(async () => {
      const outcome = (p) => p.then((r) => `status ${r.status}`, () => 'network error');
      return {
        unknown: await outcome(fetch('./not-in-the-build.txt')),
        post: await outcome(fetch('./index.html', { method: 'POST', body: 'x' })),
      };
    });
    assert.deepEqual(notHandled, { unknown: 'network error', post: 'network error' });

    // A new build: the next online visit installs it and deletes the old cache.
    await makeDist(dir, 'v2');
    generate(dir);
    const v2 = readSw(dir).version;
    assert.notEqual(v2, v1);
    await context.setOffline(false);
    server.setOnline(true);
    await page.goto(server.url);
    // (The browser checks sw.js for changes on navigation.)
    const want = `prescan:${server.url}:${v2}`;
    await poll(async () => JSON.stringify(await cacheNames(page)) === JSON.stringify([want]), 'the new cache replaces the old');
    server.setOnline(false);
    await context.setOffline(true);
    await page.reload();
    assert.equal(await shown(page), 'dummy app v2: data v2');

    page.allowErrors(/Failed to load resource|net::ERR_INTERNET_DISCONNECTED/);
    assert.deepEqual(w.problems(), []);
    await context.close();
  });

  it('another deployment on the same origin keeps its own cache', async () => {
    // Caches are per origin; the name carries the scope so two sub-paths do not
    // delete each other's. (Checked by name: prescan:<scope>:<version>.)
    const { sw } = readSw(dir);
    assert.match(sw, /const CACHE_PREFIX = `prescan:\$\{SCOPE\}:`;/);
    assert.match(sw, /n\.startsWith\(CACHE_PREFIX\) && n !== CACHE/);
  });
});
