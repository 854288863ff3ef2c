// Benchmark: the reference server (crates/server, binary prescan-server) with
// 10,000 stored analyses, next to Stoplight Prism mocking the same contract.
// Run with scripts/bench, or by hand:
//   node tests/bench/server.mjs [--bin PATH]     (or E2E_SERVER_BIN=PATH)
// Without a binary named, builds it: cargo build --profile server --locked -p
// prescan-server (the server profile of the root Cargo.toml: opt-level 3).
//
// - Starts the optimized server on a free port with a temp data dir, a token and
//   --engine realistic (runs take hours), and fills it through the API:
//   BENCH_N analyses (default 10,000; POST /api/v1/analyses, unique names, URL
//   scans, every tenth also a scan of the uploaded specification) with a mix of
//   schedules: a quarter unscheduled (Saved for Later), a quarter scheduled a day
//   ahead (Scheduled), half started now, with or without a prescan (Submitted,
//   then Prescanning / Queued one minute later, where they stay for 10 / 15
//   minutes). The "now" ones are created first and the measurements wait until
//   their one-minute step is behind them, so statuses hold still while timed.
//   Plus one uploaded specification: GitHub's REST description (npm
//   @octokit/openapi, 13 MB) when installed, else public/samples/petstore.yaml.
//   Times the fill (creates per second, at concurrency BENCH_FILL_CONCURRENCY,
//   default 8) and the upload.
// - Measures, per kind of request, BENCH_REQS requests (default 500) after
//   BENCH_WARMUP (default 50), at concurrency 1 and 8 (a pool of promises over
//   Node's fetch, which keeps connections alive): median, p95, p99 latency (from
//   sending the request to the last byte of the body) and requests per second.
//   Kinds: a page of 20, a filtered and sorted page (name contains a word, one
//   status, sort=last_run, direction=desc), one analysis, its activity log, the
//   HAR of the specification (BENCH_HAR_REQS, default 20, after 2), twice: the
//   same HAR each time (the server converts it once and then answers from its
//   cache) and with a new ?server= each time (each request converts the file;
//   the server runs one conversion per CPU at a time) and creating an analysis
//   (fresh names, unscheduled).
// - The peer, in the same run: `prism mock api/openapi.yaml` (tests/e2e's
//   @stoplight/prism-cli), the usual stand-in server for an OpenAPI contract,
//   answering the same three GET requests (same headers, same query strings) from
//   the contract's schemas. Prism stores nothing and filters nothing: the ratios
//   compare our server with 10,000 stored analyses with a mock answering static
//   examples. Latency ratio = ours / Prism's median (below 1: ours is faster);
//   throughput ratio = ours / Prism's requests per second (above 1: ours serves more).
// - The server's resident memory after the fill (VmRSS and VmHWM of
//   /proc/<pid>/status), the database's size on disk (prescan.sqlite3 and its
//   WAL), and the time from SIGKILL to a healthy restart holding every analysis.
// Both servers and this client share the machine's cores. Prints a table and
// writes target/bench/server.json.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startPrism } from '../e2e/prism.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const N = Number(process.env.BENCH_N ?? 10_000);
const REQS = Number(process.env.BENCH_REQS ?? 500);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const HAR_REQS = Number(process.env.BENCH_HAR_REQS ?? 20);
const HAR_WARMUP = Number(process.env.BENCH_HAR_WARMUP ?? 2);
const FILL_CONCURRENCY = Number(process.env.BENCH_FILL_CONCURRENCY ?? 8);
const CONCURRENCIES = [1, 8];
const TOKEN = 'bench-token-0123456789';
const OUT = path.join(repo, 'target', 'bench', 'server.json');
// The realistic engine moves a submitted run on after 60 s (submit_ms).
const SUBMIT_MS = 60_000;
const WORDS = ['nightly', 'staging', 'payments', 'checkout', 'search', 'billing', 'mobile', 'partner', 'admin', 'public'];
const FIND_WORD = 'staging';
const FIND_STATUS = 'SAVED_FOR_LATER';

function argValue(name) {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : undefined;
}

/** The server binary: --bin, E2E_SERVER_BIN, else a fresh build with the server profile. */
function serverBinary() {
  const given = argValue('--bin') ?? process.env.E2E_SERVER_BIN;
  if (given) {
    if (!existsSync(given)) throw new Error(`no server binary at ${given}`);
    return given;
  }
  console.log('== cargo build --profile server --locked -p prescan-server');
  const r = spawnSync('cargo', ['build', '--profile', 'server', '--locked', '-p', 'prescan-server'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('cargo build --profile server -p prescan-server failed');
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(repo, process.env.CARGO_TARGET_DIR) : path.join(repo, 'target');
  return path.join(target, 'server', 'prescan-server');
}

/** The specification to upload: GitHub's description if installed, else the petstore. */
function specFile() {
  for (const nm of [path.join(here, 'node_modules'), path.join(repo, 'tests', 'e2e', 'node_modules')]) {
    const f = path.join(nm, '@octokit', 'openapi', 'generated', 'api.github.com.json');
    if (existsSync(f)) return f;
  }
  return path.join(repo, 'public', 'samples', 'petstore.yaml');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The reference server as a child process, restartable on the same port and data dir. */
async function startServer(bin) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'prescan-bench-'));
  const log = [];
  let child = null;
  const server = {
    origin,
    dataDir,
    get pid() { return child.pid; },
    log: () => log.join(''),
    async start() {
      child = spawn(bin, ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--engine', 'realistic', '--token', TOKEN], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d) => log.push(String(d)));
      child.stderr.on('data', (d) => log.push(String(d)));
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`prescan-server exited with ${child.exitCode}:\n${server.log()}`);
        try {
          const r = await fetch(`${origin}/api/v1/health`);
          await r.arrayBuffer();
          if (r.ok) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`prescan-server did not answer:\n${server.log()}`);
        await sleep(5);
      }
    },
    async stop(signal = 'SIGTERM') {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
  await server.start();
  return server;
}

const AUTH = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };

async function call(origin, method, sub, body, contentType = 'application/json') {
  const headers = { ...AUTH };
  if (body !== undefined) headers['content-type'] = contentType;
  const payload = body === undefined || typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const r = await fetch(`${origin}/api/v1${sub}`, { method, headers, body: payload });
  const text = await r.text();
  return { status: r.status, text, json: () => JSON.parse(text) };
}

/** Runs `n` calls of `task(i)` with at most `concurrency` at a time. */
async function pool(n, concurrency, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      await task(i);
    }
  });
  await Promise.all(workers);
}

function percentile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Times `reqs` requests made by `make(i)` ({ method, url, body }) after `warmup`
 * untimed ones, `concurrency` at a time. Every answer must have status `expect`.
 */
async function measure({ make, reqs, warmup, concurrency, expect }) {
  const one = async (i, times) => {
    const { method = 'GET', url, body } = make(i);
    const headers = { ...AUTH };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const t0 = performance.now();
    const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const buf = await r.arrayBuffer();
    const t1 = performance.now();
    if (r.status !== expect) {
      throw new Error(`${method} ${url}: ${r.status}, expected ${expect}: ${Buffer.from(buf).toString('utf8', 0, 500)}`);
    }
    if (times) times.push(t1 - t0);
    return buf.byteLength;
  };
  await pool(warmup, concurrency, (i) => one(i, null));
  const times = [];
  let bytes = 0;
  const t0 = performance.now();
  await pool(reqs, concurrency, async (i) => { bytes += await one(warmup + i, times); });
  const wall = performance.now() - t0;
  times.sort((a, b) => a - b);
  return {
    concurrency,
    requests: reqs,
    median_ms: percentile(times, 0.5),
    p95_ms: percentile(times, 0.95),
    p99_ms: percentile(times, 0.99),
    requests_per_s: reqs / (wall / 1000),
    bytes_per_response: Math.round(bytes / reqs),
  };
}

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
  return { vm_rss_kib: kib('VmRSS'), vm_hwm_kib: kib('VmHWM') };
}

function dbSize(dir) {
  const files = {};
  for (const f of readdirSync(dir)) files[f] = statSync(path.join(dir, f)).size;
  return { files, total_bytes: Object.values(files).reduce((a, b) => a + b, 0) };
}

function newAnalysis(i, { specId, kind }) {
  const word = WORDS[i % WORDS.length];
  const scans = [{ target: { type: 'url', url: `https://app${i}.${word}.example.com/` } }];
  if (specId != null && i % 10 === 0) scans.push({ target: { type: 'api_specification', spec_id: specId } });
  const duration = { unit: 'hours', value: 4 + (i % 8) };
  const start = {
    unscheduled: { type: 'unscheduled' },
    now: { type: 'now' },
    at: { type: 'at', date_time: new Date(Date.now() + 24 * 3_600_000 + (i % 2000) * 60_000).toISOString() },
  }[kind];
  return {
    name: `Bench ${word} analysis ${String(i).padStart(6, '0')}`,
    scans,
    schedule: { start, duration },
    prescan: i % 2 === 1,
    permission_certified: true,
  };
}

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const thousands = (x) => Math.round(x).toLocaleString('en-US');

async function main() {
  const bin = serverBinary();
  const spec = specFile();
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
  console.log(`server: ${bin}\nspecification: ${path.relative(repo, spec)}\nanalyses: ${N}, requests per kind: ${REQS} after ${WARMUP} (HAR: ${HAR_REQS} after ${HAR_WARMUP})`);

  const server = await startServer(bin);
  const api = (method, sub, body, ct) => call(server.origin, method, sub, body, ct);
  const results = {
    date: new Date().toISOString(),
    commit,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.type()} ${os.release()}` },
    config: { analyses: N, requests: REQS, warmup: WARMUP, har_requests: HAR_REQS, har_warmup: HAR_WARMUP, concurrencies: CONCURRENCIES, engine: 'realistic', binary: bin },
  };
  let prism = null;
  try {
    // One specification.
    const specBytes = await readFile(spec);
    let t0 = performance.now();
    const up = await api('POST', `/specifications?file_name=${encodeURIComponent(path.basename(spec))}`, specBytes,
      spec.endsWith('.json') ? 'application/json' : 'application/yaml');
    const uploadMs = performance.now() - t0;
    if (up.status !== 201) throw new Error(`upload: ${up.status} ${up.text.slice(0, 500)}`);
    const specId = up.json().spec_id;
    results.upload = { file: path.relative(repo, spec), bytes: specBytes.length, ms: uploadMs };
    console.log(`upload ${path.basename(spec)} (${thousands(specBytes.length)} bytes): ${fmt(uploadMs, 0)} ms`);

    // The fill: "now" first (half), then scheduled, then unscheduled.
    const kindOf = (i) => (i < N / 2 ? 'now' : i < (3 * N) / 4 ? 'at' : 'unscheduled');
    const ids = [];
    let lastNowAt = 0;
    t0 = performance.now();
    await pool(N, FILL_CONCURRENCY, async (i) => {
      const kind = kindOf(i);
      const r = await api('POST', '/analyses', newAnalysis(i, { specId, kind }));
      if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.text.slice(0, 500)}`);
      ids[i] = r.json().analysis_id;
      if (kind === 'now') lastNowAt = Date.now();
    });
    const fillMs = performance.now() - t0;
    results.fill = { analyses: N, concurrency: FILL_CONCURRENCY, seconds: fillMs / 1000, creates_per_s: N / (fillMs / 1000) };
    console.log(`fill: ${thousands(N)} analyses in ${fmt(fillMs / 1000)} s = ${fmt(N / (fillMs / 1000))} creates/s (concurrency ${FILL_CONCURRENCY})`);

    // Let the submitted runs take their one step (Submitted -> Prescanning / Queued).
    const wait = lastNowAt + SUBMIT_MS + 3_000 - Date.now();
    if (lastNowAt && wait > 0) {
      console.log(`waiting ${fmt(wait / 1000, 0)} s for the submitted runs' first step`);
      await sleep(wait);
    }
    const statuses = {};
    for (const st of ['SAVED_FOR_LATER', 'SCHEDULED', 'SUBMITTED', 'PRESCANNING', 'QUEUED']) {
      statuses[st] = (await api('GET', `/analyses?status=${st}&size=1`)).json().page.total_elements;
    }
    results.statuses = statuses;
    console.log(`statuses: ${Object.entries(statuses).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    results.memory_after_fill = procStatus(server.pid);
    results.database = dbSize(server.dataDir);
    console.log(`memory after the fill: VmRSS ${thousands(results.memory_after_fill.vm_rss_kib / 1024)} MiB (peak ${thousands(results.memory_after_fill.vm_hwm_kib / 1024)} MiB); database on disk ${fmt(results.database.total_bytes / 2 ** 20)} MiB`);

    // The kinds of requests.
    const base = `${server.origin}/api/v1`;
    const filtered = `/analyses?name=${encodeURIComponent(FIND_WORD)}&status=${FIND_STATUS}&sort=last_run&direction=desc`;
    const matching = (await api('GET', filtered)).json().page.total_elements;
    const pick = (i) => ids[(i * 7919) % ids.length];
    let created = 0;
    let harServers = 0;
    const kinds = [
      { key: 'list', label: 'GET /analyses (page of 20)', path: () => '/analyses', peer: true },
      { key: 'list_filtered', label: `GET /analyses?name&status&sort=last_run (${matching} match)`, path: () => filtered, peer: true },
      { key: 'get', label: 'GET /analyses/{id}', path: (i) => `/analyses/${pick(i)}`, peer: true },
      { key: 'audits', label: 'GET /analyses/{id}/audits', path: (i) => `/analyses/${pick(i)}/audits` },
      { key: 'har', label: `GET /specifications/{id}/har (${path.basename(spec)}, cached)`, path: () => `/specifications/${specId}/har`, reqs: HAR_REQS, warmup: HAR_WARMUP },
      {
        key: 'har_convert',
        label: `GET /specifications/{id}/har?server=<new> (converts)`,
        path: () => `/specifications/${specId}/har?server=${encodeURIComponent(`https://h${harServers++}.example`)}`,
        reqs: HAR_REQS,
        warmup: HAR_WARMUP,
      },
      {
        key: 'create',
        label: 'POST /analyses (unscheduled)',
        path: () => '/analyses',
        method: 'POST',
        expect: 201,
        body: () => newAnalysis(N + created++, { specId: null, kind: 'unscheduled' }),
      },
    ];
    results.server = {};
    for (const k of kinds) {
      results.server[k.key] = { label: k.label, runs: [] };
      for (const c of CONCURRENCIES) {
        const m = await measure({
          make: (i) => ({ method: k.method, url: base + k.path(i), body: k.body?.() }),
          reqs: k.reqs ?? REQS,
          warmup: k.warmup ?? WARMUP,
          concurrency: c,
          expect: k.expect ?? 200,
        });
        results.server[k.key].runs.push(m);
        console.log(`  ours  ${k.label}, c=${c}: median ${fmt(m.median_ms, 2)} ms, p95 ${fmt(m.p95_ms, 2)}, p99 ${fmt(m.p99_ms, 2)}, ${fmt(m.requests_per_s)} req/s`);
      }
    }
    results.memory_after_requests = procStatus(server.pid);

    // The peer: Prism mocking the contract (no storage, static answers).
    prism = await startPrism(path.join(repo, 'api', 'openapi.yaml'));
    const prismVersion = JSON.parse(readFileSync(path.join(repo, 'tests', 'e2e', 'node_modules', '@stoplight', 'prism-cli', 'package.json'), 'utf8')).version;
    results.prism = { version: prismVersion };
    for (const k of kinds.filter((x) => x.peer)) {
      results.prism[k.key] = { label: k.label, runs: [] };
      for (const c of CONCURRENCIES) {
        const m = await measure({
          make: (i) => ({ url: `${prism.url}${k.path(i)}` }),
          reqs: REQS,
          warmup: WARMUP,
          concurrency: c,
          expect: 200,
        });
        results.prism[k.key].runs.push(m);
        console.log(`  Prism ${k.label}, c=${c}: median ${fmt(m.median_ms, 2)} ms, p95 ${fmt(m.p95_ms, 2)}, p99 ${fmt(m.p99_ms, 2)}, ${fmt(m.requests_per_s)} req/s`);
      }
    }
    await prism.stop();
    prism = null;
    results.ratios = [];
    for (const k of kinds.filter((x) => x.peer)) {
      CONCURRENCIES.forEach((c, j) => {
        const ours = results.server[k.key].runs[j];
        const peer = results.prism[k.key].runs[j];
        results.ratios.push({
          kind: k.key,
          concurrency: c,
          median_latency_ratio: ours.median_ms / peer.median_ms,
          p99_latency_ratio: ours.p99_ms / peer.p99_ms,
          throughput_ratio: ours.requests_per_s / peer.requests_per_s,
        });
      });
    }

    // SIGKILL, then a restart that answers with every analysis.
    const expected = (await api('GET', '/analyses?size=1')).json().page.total_elements;
    t0 = performance.now();
    await server.stop('SIGKILL');
    const killedMs = performance.now() - t0;
    await server.start();
    const healthyMs = performance.now() - t0;
    const after = (await api('GET', '/analyses?size=1')).json().page.total_elements;
    if (after !== expected) throw new Error(`after the restart: ${after} analyses, expected ${expected}`);
    results.restart = { analyses: after, kill_ms: killedMs, sigkill_to_healthy_ms: healthyMs, memory_after_restart: procStatus(server.pid) };
    console.log(`SIGKILL to healthy with ${thousands(after)} analyses: ${fmt(healthyMs, 0)} ms`);
  } finally {
    if (prism) await prism.stop();
    await server.stop('SIGKILL');
    await rm(server.dataDir, { recursive: true, force: true });
  }

  printTable(results);
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwritten: ${path.relative(repo, OUT)}`);
}

function printTable(r) {
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  const row = (label, c, m) => `${pad(label, 62)} ${lpad(c, 2)} ${lpad(fmt(m.median_ms, 2), 9)} ${lpad(fmt(m.p95_ms, 2), 9)} ${lpad(fmt(m.p99_ms, 2), 9)} ${lpad(fmt(m.requests_per_s), 9)}`;
  console.log(`\nprescan-server (server profile, commit ${r.commit}) with ${thousands(r.config.analyses)} analyses; Prism ${r.prism.version} mocking api/openapi.yaml`);
  console.log(`${pad('request', 62)} ${lpad('c', 2)} ${lpad('median ms', 9)} ${lpad('p95 ms', 9)} ${lpad('p99 ms', 9)} ${lpad('req/s', 9)}`);
  for (const k of Object.values(r.server)) {
    k.runs.forEach((m) => console.log(row(`ours:  ${k.label}`, m.concurrency, m)));
  }
  for (const [key, k] of Object.entries(r.prism)) {
    if (key === 'version') continue;
    k.runs.forEach((m) => console.log(row(`Prism: ${k.label.replace(/ \(\d+ match\)/, '')}`, m.concurrency, m)));
  }
  console.log(`\nOurs vs Prism (Prism stores and filters nothing: our server with ${thousands(r.config.analyses)} stored analyses vs a mock answering static examples)`);
  console.log(`${pad('request', 24)} ${lpad('c', 2)} ${lpad('median latency ratio', 21)} ${lpad('p99 latency ratio', 18)} ${lpad('throughput ratio', 17)}`);
  for (const x of r.ratios) {
    console.log(`${pad(x.kind, 24)} ${lpad(x.concurrency, 2)} ${lpad(fmt(x.median_latency_ratio, 3), 21)} ${lpad(fmt(x.p99_latency_ratio, 3), 18)} ${lpad(fmt(x.throughput_ratio, 2), 17)}`);
  }
  console.log('(latency ratio below 1: ours answers faster; throughput ratio above 1: ours serves more requests per second)');
  console.log(`\nfill: ${fmt(r.fill.creates_per_s)} creates/s (${thousands(r.fill.analyses)} in ${fmt(r.fill.seconds)} s, concurrency ${r.fill.concurrency}); upload of ${path.basename(r.upload.file)}: ${fmt(r.upload.ms, 0)} ms`);
  console.log(`memory after the fill: VmRSS ${fmt(r.memory_after_fill.vm_rss_kib / 1024)} MiB; after the requests: ${fmt(r.memory_after_requests.vm_rss_kib / 1024)} MiB (peak ${fmt(r.memory_after_requests.vm_hwm_kib / 1024)} MiB)`);
  console.log(`database on disk: ${fmt(r.database.total_bytes / 2 ** 20)} MiB (${Object.entries(r.database.files).map(([f, b]) => `${f} ${fmt(b / 2 ** 20)} MiB`).join(', ')})`);
  console.log(`SIGKILL to healthy restart with ${thousands(r.restart.analyses)} analyses: ${fmt(r.restart.sigkill_to_healthy_ms, 0)} ms (VmRSS then ${fmt(r.restart.memory_after_restart.vm_rss_kib / 1024)} MiB)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
