// The reference server (crates/server, binary `prescan-server`) as the
// end-to-end tests use it: the real binary, a real SQLite file in a temp data
// directory, the built app served by the same process. It can be stopped
// (gracefully or with SIGKILL) and started again on the same port and data
// directory, to test that nothing acknowledged is lost and that the app
// recovers by itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { repoRoot } from './serve.mjs';
import { launchChromium, watch, requireDist, DIST, TIMEOUT } from './helpers.mjs';
import { freePort } from './prism.mjs';

/** The server binary: E2E_SERVER_BIN, else the debug build, else the server profile's (scripts/server). */
export function serverBinary() {
  const candidates = [
    process.env.E2E_SERVER_BIN,
    path.join(repoRoot, 'target', 'debug', 'prescan-server'),
    path.join(repoRoot, 'target', 'server', 'prescan-server'),
  ].filter(Boolean);
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(`no prescan-server binary (looked at ${candidates.join(', ')}): run cargo build -p prescan-server`);
  }
  return found;
}

async function waitForHealth(origin, child, log, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`prescan-server exited with ${child.exitCode}:\n${log.join('')}`);
    }
    try {
      const r = await fetch(`${origin}/api/v1/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prescan-server did not answer ${origin}/api/v1/health in ${timeoutMs} ms:\n${log.join('')}`);
}

/**
 * Starts the reference server. Options: dist (the built app to serve), token,
 * engine ('fast' by default: a run is published in seconds), args (more CLI
 * arguments). Returns { origin, dataDir, stop({ kill }), start(), log() }.
 */
export async function startRefServer({ dist, token, engine = 'fast', args = [] } = {}) {
  const bin = serverBinary();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'prescan-ref-'));
  const log = [];
  let child = null;

  const server = {
    origin,
    dataDir,
    log: () => log.join(''),
    async start() {
      const argv = ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--engine', engine, '--shutdown-delay', '0', ...args];
      if (dist) argv.push('--dist', dist);
      if (token) argv.push('--token', token);
      child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d) => log.push(String(d)));
      child.stderr.on('data', (d) => log.push(String(d)));
      await waitForHealth(origin, child, log);
    },
    /** Stops the server: SIGTERM (graceful) or, with kill, SIGKILL (a crash). */
    async stop({ kill = false } = {}) {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(kill ? 'SIGKILL' : 'SIGTERM');
      await exited;
    },
    async close() {
      await server.stop({ kill: true });
      await rm(dataDir, { recursive: true, force: true });
    },
    /** A JSON API call with the token, for setting up or checking state. */
    async api(method, sub, body) {
      const headers = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      let payload;
      if (body instanceof Uint8Array || typeof body === 'string') {
        payload = body;
        headers['content-type'] = 'application/octet-stream';
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] = 'application/json';
      }
      const r = await fetch(`${origin}/api/v1${sub}`, { method, headers, body: payload });
      const text = await r.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (a download)
      }
      return { status: r.status, headers: r.headers, text, json };
    },
  };
  await server.start();
  return server;
}

/**
 * Registers before/after hooks in the current test file that start the
 * reference server serving the built app (with `token`) and one Chromium.
 * Returns { server, browser, newContext({ configure }), open(sub, { context, configure }) }:
 * a context is pointed at the server through the Settings page's keys
 * (backend `api`, the server's URL and the token) unless `configure` is
 * false; every opened page is watched for errors (page.watched.problems()).
 */
export function useRefServer({ token, engine } = {}) {
  const rig = { server: null, browser: null, contexts: [] };
  before(async () => {
    requireDist();
    rig.server = await startRefServer({ dist: DIST, token, engine });
    rig.browser = await launchChromium();
  });
  after(async () => {
    await Promise.all(rig.contexts.map((c) => c.close().catch(() => {})));
    await rig.browser?.close();
    await rig.server?.close();
  });
  rig.newContext = async ({ configure = true } = {}) => {
    const context = await rig.browser.newContext({ acceptDownloads: true });
    context.setDefaultTimeout(TIMEOUT);
    rig.contexts.push(context);
    if (configure) {
      await context.addInitScript(([url, t]) => {
        localStorage.setItem('prescan.backend', 'api');
        localStorage.setItem('prescan.api.url', url);
        if (t) localStorage.setItem('prescan.api.token', t);
      }, [rig.server.origin, token ?? null]);
    }
    return context;
  };
  rig.open = async (sub = '', { context, configure = true } = {}) => {
    context ??= await rig.newContext({ configure });
    const page = await context.newPage();
    page.watched = watch(page);
    await page.goto(`${rig.server.origin}/${sub}`);
    return page;
  };
  return rig;
}
