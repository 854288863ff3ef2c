// Benchmark: how fast the All Dynamic Analyses page answers with 10,000 analyses.
// Run with scripts/bench (at its end), or by hand:
//   node tests/bench/keystroke.mjs            (BENCH_DIST=/path/to/dist, default dist/)
//
// - Input: a prescan export generated here (StoreState version 1 of
//   crates/core/src/analysis/store.rs) with N analyses (BENCH_ANALYSES, default
//   10,000): a third Completed - Results Available, a third Scheduled, a third
//   Saved for Later. Imported through the page's file input.
// - Serves the release build under /tools/prescan/ (tests/e2e/serve.mjs), opens
//   #/analyses in headless Chromium (/usr/bin/chromium via playwright-core).
// - Per keystroke: types a name into Find one character at a time (ROUNDS times,
//   clearing in between) and measures in the page, from the `input` event (a
//   capture listener on window, before the app's handler) to
//     "updated": a setTimeout(0) queued at the input, which runs after the app's
//                handler and its reactive effects (the count line and the rows
//                are in the DOM by then; checked), and
//     "painted": the next animation frame after the update, then a setTimeout(0)
//                (style, layout and paint of the new rows included).
// - Per filter change: the same, from the select's `change` event, cycling
//   through statuses (and back to All statuses) with the Find box empty.
// Prints median and p95 of each, and the rows shown after each step.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../e2e/serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const dist = process.env.BENCH_DIST ?? path.join(repo, 'dist');
const N = Number(process.env.BENCH_ANALYSES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000);
const TYPED = process.env.BENCH_TYPED ?? 'analysis 007777';
const FILTERS = ['Scheduled', 'Completed - Results Available', 'Saved for Later', 'In Progress', 'All statuses'];

/** A prescan export with `n` analyses (see the header). */
function generatedExport(n, now = Date.now()) {
  const HOUR = 3_600_000;
  const width = String(n).length + 1;
  const analyses = [];
  let id = 1;
  for (let i = 1; i <= n; i++) {
    const aid = id++;
    const sid = id++;
    const kind = i % 3;
    const created = now - (n - i + 10) * HOUR;
    analyses.push({
      id: aid,
      name: `Generated analysis ${String(i).padStart(width, '0')}`,
      status: ['CompletedResultsAvailable', 'Scheduled', 'SavedForLater'][kind],
      has_verification_failures: false,
      scans: [{ id: sid, target: { Url: `https://app${i}.example.com/` }, status: ['CompletedResultsAvailable', 'Scheduled', 'NotRun'][kind] }],
      schedule: { start: [ 'Now', { At: now + (i + 24) * HOUR }, 'Unscheduled'][kind], duration: { Hours: 8 } },
      prescan: false,
      created_ms: created,
      created_by: 'Generator',
      modified_ms: created,
      modified_by: 'Generator',
      runs: kind === 0 ? [{
        number: 1, prescan: false, submitted_ms: created + HOUR, started_ms: created + HOUR + 60_000,
        deadline_ms: created + 9 * HOUR, ended_ms: created + 2 * HOUR, final_status: 'CompletedResultsAvailable',
        outcome: 'Succeeds', since_ms: created + 2 * HOUR, next_step_ms: null, paused_remaining_ms: null,
      }] : [],
      demo: false,
    });
  }
  return { version: 1, next_id: id, analyses, activity: {}, specifications: [] };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};
const ms = (x) => `${x.toFixed(1)} ms`;
const summary = (label, xs) =>
  `${label}: median ${ms(quantile(xs, 0.5))}, p95 ${ms(quantile(xs, 0.95))}, max ${ms(Math.max(...xs))} (${xs.length} samples)`;

if (!existsSync(path.join(dist, 'index.html'))) {
  console.error(`no build in ${dist}: run trunk build --release --offline (scripts/bench does)`);
  process.exit(1);
}

const exportText = JSON.stringify(generatedExport(N));
console.log(`input: ${N.toLocaleString('en-US')} generated analyses, export ${(exportText.length / 1e6).toFixed(1)} MB`);
console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

const server = await startServer({ root: dist, base: '/tools/prescan/' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
console.log(`browser: Chromium ${browser.version()} (headless)`);
const want = (n) => `${n.toLocaleString('en-US')} of ${N.toLocaleString('en-US')} analyses`;
let results;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}#/analyses`);
  await page.waitForFunction(() => /^\d[\d,]* of /.test(document.querySelector('[data-testid=analyses-count]')?.textContent ?? ''), null, { timeout: 30_000 });

  // Instrumentation: timestamps at the event (capture, before the app) and after.
  await page.evaluate(() => {
    const bench = (window.__bench = { samples: [] });
    const count = () => document.querySelector('[data-testid=analyses-count]')?.textContent.trim();
    const rows = () => document.querySelectorAll('[data-testid=analysis-row]').length;
    const start = (kind) => {
      const t0 = performance.now();
      const sample = { kind, t0 };
      bench.samples.push(sample);
      setTimeout(() => {
        sample.updated = performance.now() - t0;
        sample.count = count();
        sample.rows = rows();
        requestAnimationFrame(() => setTimeout(() => { sample.painted = performance.now() - t0; }, 0));
      }, 0);
    };
    window.addEventListener('input', (e) => { if (e.target?.dataset?.testid === 'analyses-find') start('keystroke'); }, { capture: true });
    window.addEventListener('change', (e) => {
      if (e.target?.dataset?.testid === 'analyses-filter') start('filter');
      if (e.target?.dataset?.testid === 'import-analyses') start('import');
    }, { capture: true });
  });
  const settled = () => page.waitForFunction(() => window.__bench.samples.every((s) => s.painted !== undefined), null, { timeout: TIMEOUT_MS });

  // Import (the store is empty: no confirmation).
  await page.getByTestId('import-analyses').setInputFiles({ name: 'bench.json', mimeType: 'application/json', buffer: Buffer.from(exportText) });
  await page.waitForFunction((w) => document.querySelector('[data-testid=analyses-count]')?.textContent.trim() === w, want(N), { timeout: TIMEOUT_MS });
  const importMs = await page.evaluate(() => {
    const s = window.__bench.samples.find((x) => x.kind === 'import');
    return performance.now() - s.t0;
  });
  await page.evaluate(() => { window.__bench.samples = []; });

  // Keystrokes.
  const find = page.getByTestId('analyses-find');
  const steps = [];
  for (let round = 0; round < ROUNDS; round++) {
    await find.fill('');
    await page.waitForFunction((w) => document.querySelector('[data-testid=analyses-count]')?.textContent.trim() === w, want(N));
    await settled();
    await page.evaluate(() => { window.__bench.samples = []; });
    await find.focus();
    for (const ch of TYPED) {
      await page.keyboard.type(ch);
      await settled();
    }
    const samples = await page.evaluate(() => window.__bench.samples);
    if (samples.length !== TYPED.length) throw new Error(`expected ${TYPED.length} input events, saw ${samples.length}`);
    if (round === 0) steps.push(...samples.map((s, i) => ({ typed: TYPED.slice(0, i + 1), count: s.count, rows: s.rows })));
    (results ??= { keystroke: [], filter: [] }).keystroke.push(...samples);
  }
  await find.fill('');
  await page.waitForFunction((w) => document.querySelector('[data-testid=analyses-count]')?.textContent.trim() === w, want(N));
  await settled();
  await page.evaluate(() => { window.__bench.samples = []; });

  // Filter changes.
  const filterSteps = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const label of FILTERS) {
      await page.getByTestId('analyses-filter').selectOption({ label });
      await settled();
    }
  }
  const fs = await page.evaluate(() => window.__bench.samples);
  filterSteps.push(...fs.slice(0, FILTERS.length).map((s, i) => ({ filter: FILTERS[i], count: s.count, rows: s.rows })));
  results.filter.push(...fs);
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);

  console.log(`\nimport of ${N.toLocaleString("en-US")} analyses (file chosen -> count line seen by the polling test; an upper bound): ${ms(importMs)}`);
  console.log(`\nkeystrokes into Find ("${TYPED}", ${ROUNDS} rounds): what each step shows`);
  for (const s of steps) console.log(`  ${JSON.stringify(s.typed).padEnd(20)} ${String(s.count).padEnd(28)} ${s.rows} rows shown`);
  console.log(summary('  per keystroke, input -> list updated', results.keystroke.map((s) => s.updated)));
  console.log(summary('  per keystroke, input -> next frame   ', results.keystroke.map((s) => s.painted)));
  console.log(`\nfilter changes (${ROUNDS} rounds of ${FILTERS.length}):`);
  for (const s of filterSteps) console.log(`  ${s.filter.padEnd(32)} ${String(s.count).padEnd(28)} ${s.rows} rows shown`);
  console.log(summary('  per filter change, change -> list updated', results.filter.map((s) => s.updated)));
  console.log(summary('  per filter change, change -> next frame   ', results.filter.map((s) => s.painted)));
} finally {
  await browser.close();
  await server.close();
}
