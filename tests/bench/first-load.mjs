// Benchmark: what a first visit downloads, read from the network log of
// headless Chromium (not by summing files), next to the API viewers a user
// would pick instead, measured the same way in the same run.
//
//   node tests/bench/first-load.mjs        (after trunk build --release --offline)
//
// - The app (dist/) is served under /tools/prescan/ by tests/e2e/serve.mjs
//   with gzip (level 9), in a fresh browser context (empty cache) with the
//   service worker blocked. Two figures: "first load", the bytes of every
//   request started before the specification file input is usable (the drop
//   zone's input attached and the sample button enabled), and "first visit",
//   every byte fetched until the network has been idle for IDLE_MS with no
//   interaction (prefetches included). Then, per page, the extra bytes its
//   first use fetches (opening it as a person would, until it shows): the
//   preview of the first specification (the converter, the preview's code
//   and the sample), the Dynamic Analyses, Settings and New analysis pages, then an analysis and
//   its Prescan Details (from the in-browser store's demo analyses).
// - Peers, each opening public/samples/petstore.yaml from the same server:
//   Swagger UI (npm swagger-ui-dist, from tests/bench's node_modules), Redoc
//   (npm redoc, its standalone bundle) and Scalar (npm @scalar/api-reference,
//   its browser bundle). Redoc and Scalar are fetched with `npm pack` (their
//   published tarballs only; redoc's dependency tree does not install) into
//   target/bench/peers/. Their figure is the first visit: every byte until
//   the network is idle with the specification rendered.
// Bytes are the encoded (gzip) body sizes the network log reports; headers
// are left out. Prints a table and writes target/bench/first-load.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../e2e/serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);
const DIST = process.env.E2E_DIST ?? path.join(repo, 'dist');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 2000);
const TIMEOUT = 60_000;
const PEERS_DIR = path.join(repo, 'target', 'bench', 'peers');
const OUT = path.join(repo, 'target', 'bench', 'first-load.json');
const REDOC = 'redoc@3.0.1';
const SCALAR = '@scalar/api-reference@1.76.4';
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const KiB = (n) => (n / 1024).toFixed(1);

/** Records every request of a page (or a whole context, service worker
 * included): when it started and its encoded size. */
function record(page) {
  const log = [];
  page.on('request', (request) => log.push({ request, url: request.url(), started: Date.now(), bytes: 0, done: false }));
  const finish = async (request) => {
    const entry = log.find((e) => e.request === request);
    if (!entry) return;
    try {
      entry.bytes = (await request.sizes()).responseBodySize;
    } catch {
      entry.bytes = 0;
    }
    entry.done = true;
    entry.ended = Date.now();
  };
  page.on('requestfinished', finish);
  page.on('requestfailed', finish);
  return log;
}

/** Resolves once no request has started or been in flight for `ms`. */
async function networkIdle(log, ms = IDLE_MS) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const busy = log.some((e) => !e.done);
    const last = Math.max(0, ...log.map((e) => e.ended ?? e.started));
    if (!busy && Date.now() - last >= ms) return;
    if (Date.now() > deadline) throw new Error('the network never went idle');
  }
}

const sum = (entries) => entries.reduce((n, e) => n + e.bytes, 0);
const short = (url) => decodeURIComponent(new URL(url).pathname.split('/').pop() || '/');

/** The app: first load, first visit, then each page's first use. */
async function measureApp(browser) {
  const srv = await startServer({ root: DIST, base: '/tools/prescan/', gzip: true });
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const log = record(page);
  const t0 = Date.now();
  await page.goto(srv.url);
  await page.getByTestId('file-input').waitFor({ state: 'attached', timeout: TIMEOUT });
  await page.getByTestId('try-sample').waitFor({ state: 'visible', timeout: TIMEOUT });
  const usableAt = Date.now();
  // Requests started before the input was usable, each counted whole.
  await networkIdle(log);
  const firstLoad = log.filter((e) => e.started <= usableAt);
  const firstVisit = [...log];
  const pages = [];
  // `shown` is a heading's name, or a function giving the locator that shows
  // the page is there.
  const visit = async (name, open, shown) => {
    const before = log.length;
    await open();
    const locator = typeof shown === 'function' ? shown() : page.getByRole('heading', { level: 1, name: shown });
    await locator.first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await networkIdle(log, 500);
    const extra = log.slice(before);
    pages.push({ page: name, bytes: sum(extra), files: extra.map((e) => short(e.url)) });
  };
  const go = (hash) => () => page.evaluate((h) => { location.hash = h; }, hash);
  // The first specification: the converter's worker, the preview's code and the sample.
  await visit('the preview of a specification (the sample)', () => page.getByTestId('try-sample').click(), () => page.getByTestId('spec-title'));
  await visit('Dynamic Analyses', () => page.getByTestId('nav-analyses').click(), /Dynamic Analyses/);
  await visit('Settings', () => page.getByTestId('nav-settings').click(), /Settings/);
  await visit('New analysis', go('#/analyses/new'), /Create a Dynamic Analysis/);
  // An analysis and its Prescan Details: the demo analyses of the in-browser store.
  await go('#/analyses')();
  await page.getByTestId('empty-add-demo').click({ timeout: TIMEOUT });
  await visit('Analysis', () => page.getByTestId('analysis-link').first().click(), () => page.getByTestId('analysis-name'));
  await visit('Prescan Details', () => page.getByRole('link', { name: /View Prescan Details/ }).first().click(), /Prescan Details/);
  await context.close();
  // With the service worker: what a first visit downloads in all, and which
  // files it downloads twice (the page's copy, then the precache's).
  const swContext = await browser.newContext();
  const swLog = record(swContext);
  const swPage = await swContext.newPage();
  await swPage.goto(srv.url);
  await swPage.getByTestId('try-sample').waitFor({ state: 'visible', timeout: TIMEOUT });
  await swPage.evaluate(() => navigator.serviceWorker.ready);
  await networkIdle(swLog);
  const perUrl = new Map();
  for (const e of swLog) {
    if (e.bytes > 0) perUrl.set(e.url, [...(perUrl.get(e.url) ?? []), e.bytes]);
  }
  const twice = [...perUrl].filter(([, sizes]) => sizes.length > 1).map(([url, sizes]) => [short(url), sizes]);
  await swContext.close();
  await srv.close();
  return {
    withServiceWorker: { bytes: sum(swLog), twice },
    usableMs: usableAt - t0,
    firstLoad: { bytes: sum(firstLoad), files: firstLoad.map((e) => [short(e.url), e.bytes]) },
    firstVisit: { bytes: sum(firstVisit), files: firstVisit.map((e) => [short(e.url), e.bytes]) },
    pages,
  };
}

/** A peer's page, served beside the sample: every byte until idle. */
async function measurePeer(browser, name, dir, html, rendered) {
  // `rendered`: a text of the specification the viewer shows once it is read.
  const srv = await startServer({ root: dir, base: '/', gzip: true });
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const log = record(page);
  await page.goto(srv.url + html);
  await page.getByText(rendered).first().waitFor({ state: 'visible', timeout: TIMEOUT });
  await networkIdle(log);
  await context.close();
  await srv.close();
  return { name, bytes: sum(log), files: log.map((e) => [short(e.url), e.bytes]) };
}

/** Unpacks an npm package's published tarball into target/bench/peers/<dir>. */
function packed(spec, dir) {
  const out = path.join(PEERS_DIR, dir);
  if (existsSync(path.join(out, 'package.json'))) return out;
  mkdirSync(out, { recursive: true });
  const tgz = execFileSync('npm', ['pack', spec, '--silent'], { cwd: PEERS_DIR, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', path.join(PEERS_DIR, tgz), '-C', out, '--strip-components=1']);
  return out;
}

function peerSite() {
  const site = path.join(PEERS_DIR, 'site');
  mkdirSync(site, { recursive: true });
  copyFileSync(path.join(repo, 'public', 'samples', 'petstore.yaml'), path.join(site, 'petstore.yaml'));
  const swagger = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  for (const f of ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui.css']) {
    copyFileSync(path.join(swagger, f), path.join(site, f));
  }
  const redoc = packed(REDOC, 'redoc');
  copyFileSync(path.join(redoc, 'bundles', 'redoc.standalone.js'), path.join(site, 'redoc.standalone.js'));
  const scalar = packed(SCALAR, 'scalar');
  execFileSync('cp', ['-r', path.join(scalar, 'dist', 'browser'), path.join(site, 'scalar')]);
  const page = (file, body) => writeFileSync(path.join(site, file), `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${file}</title></head><body>${body}</body></html>`);
  page('swagger.html', `<link rel="stylesheet" href="swagger-ui.css"><div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script><script src="swagger-ui-standalone-preset.js"></script>
<script>SwaggerUIBundle({ url: 'petstore.yaml', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>`);
  page('redoc.html', `<redoc spec-url="petstore.yaml"></redoc><script type="module" src="redoc.standalone.js"></script>`);
  page('scalar.html', `<div id="app"></div><script src="scalar/standalone.js"></script>
<script>Scalar.createApiReference('#app', { url: 'petstore.yaml' });</script>`);
  return {
    site,
    versions: {
      swagger: require('swagger-ui-dist/package.json').version,
      redoc: JSON.parse(readFileSync(path.join(redoc, 'package.json'), 'utf8')).version,
      scalar: JSON.parse(readFileSync(path.join(scalar, 'package.json'), 'utf8')).version,
    },
  };
}

if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: trunk build --release --offline first`);
mkdirSync(PEERS_DIR, { recursive: true });
const { site, versions } = peerSite();
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
const app = await measureApp(browser);
const peers = [
  await measurePeer(browser, `Swagger UI ${versions.swagger}`, site, 'swagger.html', 'List all pets'),
  await measurePeer(browser, `Redoc ${versions.redoc}`, site, 'redoc.html', 'Swagger Petstore (1.0.0)'),
  await measurePeer(browser, `Scalar ${versions.scalar}`, site, 'scalar.html', 'List all pets'),
];
await browser.close();

console.log('prescan, first visit with an empty cache and the service worker blocked (gzip, from the network log)');
console.log(`  first load (until the file input is usable, ${app.usableMs} ms): ${KiB(app.firstLoad.bytes)} KiB`);
for (const [f, b] of app.firstLoad.files) console.log(`    ${f.padEnd(48)} ${KiB(b).padStart(8)} KiB`);
console.log(`  whole first visit (network idle, no interaction): ${KiB(app.firstVisit.bytes)} KiB`);
console.log(`  first visit with the service worker (it precaches every file): ${KiB(app.withServiceWorker.bytes)} KiB; downloaded twice: ${app.withServiceWorker.twice.map(([f, b]) => `${f} (${b.map(KiB).join(' + ')} KiB)`).join(', ') || 'none'}`);
for (const p of app.pages) console.log(`  first use of ${p.page}: +${KiB(p.bytes)} KiB (${p.files.join(', ') || 'nothing fetched'})`);
const withSample = app.firstVisit.bytes + (app.pages.find((p) => p.page.startsWith('the preview'))?.bytes ?? 0);
console.log(`  first visit with the sample previewed (as the peers are measured): ${KiB(withSample)} KiB`);
console.log('Peers, first visit until idle with petstore.yaml rendered:');
for (const p of peers) console.log(`  ${p.name.padEnd(28)} ${KiB(p.bytes).padStart(8)} KiB  (ours / theirs: first load ${(app.firstLoad.bytes / p.bytes).toFixed(2)}, with the sample previewed ${(withSample / p.bytes).toFixed(2)})`);
mkdirSync(path.dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify({ app, peers }, null, 2));
console.log(`written: ${path.relative(repo, OUT)}`);
