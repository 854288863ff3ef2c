// Benchmark: time to preview GitHub's REST API description (13 MB, 1,223 operations) in the release build, and the release bundle size next to Swagger UI's. Run with scripts/bench.
//
// - Input: `generated/api.github.com.json` from the npm package @octokit/openapi
//   (a devDependency in tests/bench/package.json; nothing committed).
// - Serves dist/ (trunk build --release --offline) under /tools/prescan/, opens it
//   in headless Chromium (/usr/bin/chromium via playwright-core), chooses the file
//   through the file input, and measures in the page from the input's `change`
//   event to the frame after `endpoint-count` shows the operation count and the
//   table has rows. Median of RUNS (default 5) runs, each in a fresh page.
//   The converter's WebAssembly loads when a person's pointer or keyboard
//   reaches the input panel (issue 14): each run first moves the pointer over
//   the drop zone and waits 300 ms, as a person opening the file dialog does.
//   The same runs without that ("cold": a file given by a script) are
//   reported too; they include starting the converter.
// - Bundle: every .wasm/.js/.css file of dist/ (app, worker, service worker),
//   gzip -9, per file and total; Swagger UI (swagger-ui-dist: swagger-ui-bundle.js,
//   swagger-ui-standalone-preset.js, swagger-ui.css) the same way; and the ratio.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync, constants as zc } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../e2e/serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const dist = process.env.BENCH_DIST ?? path.join(repo, 'dist');
const RUNS = Number(process.env.RUNS ?? 5);
// How long the pointer rests on the drop zone before the file is given (the
// converter and the preview's code load meanwhile).
const HOVER_MS = Number(process.env.HOVER_MS ?? 300);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000);
const require = createRequire(import.meta.url);

const specFile = require.resolve('@octokit/openapi/generated/api.github.com.json');
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const gz = (buf) => gzipSync(buf, { level: zc.Z_BEST_COMPRESSION }).length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function walk(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.name.startsWith('.')) return [];
    return e.isDirectory() ? walk(path.join(dir, e.name), rel) : [rel];
  });
}

function sizes(files, base) {
  const rows = files.map((f) => {
    const buf = readFileSync(path.join(base, f));
    return { file: f, raw: buf.length, gzip: gz(buf) };
  });
  const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip }), { raw: 0, gzip: 0 });
  return { rows, total };
}

function printSizes(title, { rows, total }) {
  console.log(`\n${title}`);
  const w = Math.max(...rows.map((r) => r.file.length), 5);
  for (const r of rows) console.log(`  ${r.file.padEnd(w)}  ${kb(r.raw).padStart(11)}  gzip -9 ${kb(r.gzip).padStart(10)}`);
  console.log(`  ${'total'.padEnd(w)}  ${kb(total.raw).padStart(11)}  gzip -9 ${kb(total.gzip).padStart(10)}`);
}

if (!existsSync(path.join(dist, 'index.html'))) {
  console.error(`no build in ${dist}: run trunk build --release --offline (scripts/bench does)`);
  process.exit(1);
}

// The input.
const specBytes = statSync(specFile).size;
const spec = JSON.parse(readFileSync(specFile, 'utf8'));
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).filter((m) => METHODS.has(m)).length, 0);
console.log(`input: @octokit/openapi ${require('@octokit/openapi/package.json').version} generated/api.github.com.json`);
console.log(`       ${(specBytes / 1e6).toFixed(1)} MB, OpenAPI ${spec.openapi}, ${operations} operations`);
console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

// The timing.
const server = await startServer({ root: dist, base: '/tools/prescan/' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
console.log(`browser: Chromium ${browser.version()} (headless)`);
const times = [];
const cold = [];
try {
  const context = await browser.newContext();
  for (let run = 1; run <= 2 * RUNS; run++) {
    const warm = run <= RUNS;
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.getByTestId('file-input').waitFor({ state: 'attached', timeout: 30_000 });
    await page.evaluate((expected) => {
      const bench = (window.__bench = {});
      const input = document.querySelector('[data-testid=file-input]');
      input.addEventListener('change', () => { bench.t0 = performance.now(); }, { capture: true, once: true });
      const shown = () => {
        const count = document.querySelector('[data-testid=endpoint-count]');
        const n = count ? Number((count.textContent.replace(/[\s,.\u00a0\u202f]/g, '').match(/\d+/) ?? [])[0]) : NaN;
        // "1,223-ish": the app may count operations slightly differently.
        return Math.abs(n - expected) <= expected * 0.02 && document.querySelector('[data-testid=endpoints-table] [data-testid=endpoint-row]');
      };
      const obs = new MutationObserver(() => {
        if (bench.t0 !== undefined && bench.seen === undefined && shown()) {
          bench.seen = performance.now();
          obs.disconnect();
          // "Shown": the frame after the DOM has the table.
          requestAnimationFrame(() => setTimeout(() => { bench.t1 = performance.now(); }, 0));
        }
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true });
    }, operations);
    if (warm) {
      await page.getByTestId('drop-zone').hover();
      await page.waitForTimeout(HOVER_MS);
    }
    await page.getByTestId('file-input').setInputFiles(specFile);
    try {
      await page.waitForFunction(() => window.__bench.t1 !== undefined, null, { timeout: TIMEOUT_MS, polling: 100 });
    } catch (e) {
      const shownCount = await page.getByTestId('endpoint-count').textContent().catch(() => '(none)');
      const err = await page.getByTestId('load-error').textContent().catch(() => '');
      throw new Error(`run ${run}: the table with ${operations} endpoints did not show within ${TIMEOUT_MS / 1000} s ` +
        `(endpoint-count: ${JSON.stringify(shownCount)}; load-error: ${JSON.stringify(err)}; page errors: ${errors.join('; ')})`);
    }
    const { t0, t1 } = await page.evaluate(() => window.__bench);
    (warm ? times : cold).push(t1 - t0);
    console.log(`  run ${run}${warm ? '' : ' (cold)'}: ${(t1 - t0).toFixed(0)} ms`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const med = median(times);
console.log(`time to preview (choose file -> ${operations} endpoints shown): median ${med.toFixed(0)} ms of ${RUNS} runs ` +
  `(min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`);
console.log(`  cold (a file given by a script, the converter not started yet): median ${median(cold).toFixed(0)} ms of ${RUNS} runs`);

// The sizes.
const ours = sizes(walk(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort(), dist);
printSizes('prescan release bundle (dist/: wasm + JS + CSS, app + worker + service worker):', ours);
const swaggerFiles = ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui.css'];
const theirs = sizes(swaggerFiles, swaggerDir);
printSizes(`Swagger UI ${require('swagger-ui-dist/package.json').version} (swagger-ui-dist) for scale:`, theirs);
const ratio = ours.total.gzip / theirs.total.gzip;
console.log(`\nbundle size, gzip -9: prescan ${kb(ours.total.gzip)} vs Swagger UI ${kb(theirs.total.gzip)}: ` +
  `${(ratio * 100).toFixed(0)}% (${(1 / ratio).toFixed(1)}x smaller)`);

mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'load-github.json'), JSON.stringify({
  date: new Date().toISOString(), operations, specBytes, runsMs: times, medianMs: med, coldRunsMs: cold, coldMedianMs: median(cold),
  bundle: ours, swaggerUi: theirs, ratio,
}, null, 2));
