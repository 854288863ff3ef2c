// Benchmark (issue 19): the reference server on SQLite, on PostgreSQL with one
// replica, and on PostgreSQL with two replicas behind a client that spreads
// requests over them as a load balancer would (round robin). Run with
// scripts/bench, or by hand:
//   node tests/bench/replicas.mjs [--bin PATH]       (or E2E_SERVER_BIN=PATH)
// Without a binary named, builds it: cargo build --profile server -p prescan-server.
//
// For each set-up, a fresh store (a temporary data directory, or a new database
// on a throwaway PostgreSQL cluster started by scripts/postgres, as the postgres
// user, on 127.0.0.1), filled through the API with BENCH_N analyses (default
// 1,000; unscheduled, URL scans). Then BENCH_SECONDS (default 10) of a mixed load
// at BENCH_CONCURRENCY (default 16) requests in flight: 80% reads (a page of 20,
// one analysis, its activity log, in turn) and 20% writes (a new analysis, or a
// change of name). Per set-up: reads and writes per second, median and p99
// latency of each, errors. The client, the servers and PostgreSQL share this
// machine's cores (2 here): a second replica adds no CPU, so the figures show
// what sharing one database costs, not what a second machine would bring.
// Prints a table and writes target/bench/replicas.json.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const N = Number(process.env.BENCH_N ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TOKEN = 'bench-replicas-token-0123456789';
const OUT = path.join(repo, 'target', 'bench', 'replicas.json');

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function serverBinary() {
  const given = argValue('--bin') ?? process.env.E2E_SERVER_BIN;
  if (given) return given;
  const r = spawnSync('cargo', ['build', '--profile', 'server', '--locked', '-p', 'prescan-server'], {
    cwd: repo,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('cargo build --profile server -p prescan-server failed');
  return path.join(process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target'), 'server', 'prescan-server');
}

function startCluster() {
  const out = execFileSync('bash', [path.join(repo, 'scripts', 'postgres'), 'start'], { encoding: 'utf8' });
  const vars = Object.fromEntries(out.trim().split('\n').map((l) => l.split('=')));
  return { dir: vars.PGDIR, url: vars.DATABASE_URL };
}

function stopCluster(dir) {
  spawnSync('bash', [path.join(repo, 'scripts', 'postgres'), 'stop', dir], { stdio: 'inherit' });
}

function createDatabase(adminUrl, name) {
  execFileSync('psql', [adminUrl, '-qc', `CREATE DATABASE ${name}`]);
  return adminUrl.replace(/\/[^/]*$/, `/${name}`);
}

/** Starts one prescan-server; resolves with its base URL once it listens. */
function startServer(bin, storeArgs) {
  const child = spawn(
    bin,
    ['--listen', '127.0.0.1:0', '--engine', 'realistic', '--token', TOKEN, '--rate-uploads', '0',
      '--rate-prescans', '0', '--max-connections', '256', ...storeArgs],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/http:\/\/[0-9.:]+/);
      if (m) resolve({ child, base: m[0] });
    });
    child.on('exit', (code) => reject(new Error(`prescan-server exited (${code}) before listening`)));
  });
}

async function call(base, method, route, body) {
  const t0 = performance.now();
  const r = await fetch(base + route, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, ms: performance.now() - t0, text };
}

const analysis = (name) => ({
  name,
  scans: [{ target: { type: 'url', url: `https://${name.replace(/[^a-z0-9]/gi, '').toLowerCase()}.example.com/` } }],
  schedule: { start: { type: 'unscheduled' }, duration: { unit: 'hours', value: 2 } },
  prescan: false,
  permission_certified: true,
});

async function fill(bases) {
  const ids = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < N) {
        const i = next++;
        const r = await call(bases[i % bases.length], 'POST', '/api/v1/analyses', analysis(`Bench analysis ${i}`));
        if (r.status !== 201) throw new Error(`fill: ${r.status} ${r.text.slice(0, 200)}`);
        ids.push(JSON.parse(r.text).analysis_id);
      }
    }),
  );
  return { ids, perSecond: N / ((performance.now() - t0) / 1000) };
}

function pct(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(bases, ids) {
  const reads = [];
  const writes = [];
  let errors = 0;
  let n = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (performance.now() < until) {
        const i = n++;
        const base = bases[i % bases.length];
        const id = ids[(i * 7919) % ids.length];
        let r;
        let kind;
        if (i % 5 === 4) {
          kind = writes;
          r = i % 10 === 4
            ? await call(base, 'POST', '/api/v1/analyses', analysis(`Load ${worker} ${i}`))
            : await call(base, 'PATCH', `/api/v1/analyses/${id}`, { name: `Renamed ${id} ${i}` });
        } else {
          kind = reads;
          const route = [`/api/v1/analyses?size=20&page=${i % 50}`, `/api/v1/analyses/${id}`, `/api/v1/analyses/${id}/audits`][i % 3];
          r = await call(base, 'GET', route);
        }
        if (r.status >= 400) errors++;
        else kind.push(r.ms);
      }
    }),
  );
  const sum = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { perSecond: xs.length / SECONDS, median: pct(s, 50), p99: pct(s, 99), count: xs.length };
  };
  return { reads: sum(reads), writes: sum(writes), errors };
}

async function run(name, bin, stores) {
  const servers = [];
  for (const s of stores) servers.push(await startServer(bin, s));
  const bases = servers.map((s) => s.base);
  try {
    const filled = await fill(bases);
    const measured = await load(bases, filled.ids);
    return { name, replicas: bases.length, fillPerSecond: filled.perSecond, ...measured };
  } finally {
    for (const s of servers) s.child.kill('SIGKILL');
  }
}

const bin = serverBinary();
if (!existsSync(bin)) throw new Error(`no server binary at ${bin}`);
const work = await mkdtemp(path.join(os.tmpdir(), 'prescan-replicas-'));
const cluster = startCluster();
const results = [];
try {
  results.push(await run('SQLite, 1 server', bin, [['--data-dir', path.join(work, 'sqlite')]]));
  const one = createDatabase(cluster.url, 'bench_one');
  results.push(await run('PostgreSQL, 1 replica', bin, [['--database-url', one, '--key-file', path.join(work, 'one.key')]]));
  const two = createDatabase(cluster.url, 'bench_two');
  // The first replica creates the key; the second starts once it exists.
  const key = path.join(work, 'two.key');
  results.push(await run('PostgreSQL, 2 replicas', bin, [
    ['--database-url', two, '--key-file', key],
    ['--database-url', two, '--key-file', key],
  ]));
} finally {
  stopCluster(cluster.dir);
  await rm(work, { recursive: true, force: true });
}

const f = (x) => (x == null ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
console.log(`\n${N} analyses; ${SECONDS} s of 80% reads / 20% writes at ${CONCURRENCY} in flight; ${os.cpus().length} CPUs shared by client, servers and PostgreSQL\n`);
console.log('| Set-up | fill (creates/s) | reads/s | read median ms | read p99 ms | writes/s | write median ms | write p99 ms | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.name} | ${f(r.fillPerSecond)} | ${f(r.reads.perSecond)} | ${f(r.reads.median)} | ${f(r.reads.p99)} | ${f(r.writes.perSecond)} | ${f(r.writes.median)} | ${f(r.writes.p99)} | ${r.errors} |`);
}
await mkdir(path.dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify({ n: N, seconds: SECONDS, concurrency: CONCURRENCY, cpus: os.cpus().length, results }, null, 2));
console.log(`\nwritten: ${path.relative(repo, OUT)}`);
