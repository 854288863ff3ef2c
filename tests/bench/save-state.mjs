// Benchmark: how long the in-browser store takes to save its state to
// IndexedDB once a large specification is stored (GitHub's REST API
// description, 13 MB) while runs move (the demo analyses: the engine changes
// the state every second, and each change is saved 400 ms later).
//
// The app logs each save when localStorage `prescan.debug` contains `save`
// ("prescan: state saved in X ms (N characters of JSON, K specification
// files written)"): the time from serializing the state to the end of the
// IndexedDB transaction. This script stores the specification on the New
// analysis form, adds the demo analyses, collects the saves for SECONDS
// (default 15) and prints the first save after the specification was stored
// and the median of the later ones.
//
//   BENCH_DIST=/tmp/dist node tests/bench/save-state.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../e2e/serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const dist = process.env.BENCH_DIST ?? path.join(repo, 'dist');
const SECONDS = Number(process.env.SECONDS ?? 15);
const require = createRequire(import.meta.url);
const specFile = process.env.BENCH_SPEC ?? require.resolve('@octokit/openapi/generated/api.github.com.json');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const server = await startServer({ root: dist, base: '/tools/prescan/' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext();
  context.setDefaultTimeout(120_000);
  await context.addInitScript(() => localStorage.setItem('prescan.debug', 'save'));
  const page = await context.newPage();
  const saves = [];
  page.on('console', (msg) => {
    const m = /state saved in ([\d.]+) ms \((\d+) characters of JSON(?:, (\d+) specification files written)?\)/.exec(msg.text());
    if (m) saves.push({ ms: Number(m[1]), chars: Number(m[2]), files: m[3] === undefined ? null : Number(m[3]), at: Date.now() });
  });
  await page.goto(`${server.url}#/analyses/new`);
  await page.getByTestId('new-spec-file').setInputFiles(specFile);
  await page.getByTestId('new-spec').first().waitFor();
  // The save that follows storing the specification.
  while (saves.length === 0) await page.waitForTimeout(100);
  const first = saves[0];
  await page.goto(`${server.url}#/analyses`);
  await page.getByTestId('add-demo').or(page.getByTestId('empty-add-demo')).first().click();
  const from = saves.length;
  await page.waitForTimeout(SECONDS * 1000);
  const later = saves.slice(from + 1);
  console.log(`dist: ${dist}`);
  console.log(`specification: ${path.basename(specFile)}`);
  console.log(`first save after storing it: ${first.ms.toFixed(1)} ms (${first.chars} characters of JSON${first.files === null ? '' : `, ${first.files} files written`})`);
  console.log(`later saves while runs move: ${later.length} in ${SECONDS} s, median ${median(later.map((s) => s.ms)).toFixed(1)} ms, max ${Math.max(...later.map((s) => s.ms)).toFixed(1)} ms, ${later.at(-1)?.chars ?? '?'} characters of JSON each`);
} finally {
  await browser.close();
  await server.close();
}
