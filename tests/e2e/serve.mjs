// A tiny dependency-free static server for the built app (dist/), used by the
// end-to-end tests and the benchmark. It serves the build under a sub-path
// (default /tools/prescan/) on 127.0.0.1, on a free port unless one is given.
//
//   node tests/e2e/serve.mjs [--root dist] [--base /tools/prescan/] [--port 0]
//
// or, from a test:  const srv = await startServer({ base: '/tools/prescan/' });
//                   ... srv.url ...   await srv.close();
//
// Behaviour: GET/HEAD only; `<base>` and `<base>index.html` serve index.html;
// `<base>` without its trailing slash redirects to it; anything outside the
// base, missing, or escaping the root is a 404. No SPA fallback: the app has a
// single page, and a missing file must show up as a failed request.
// With `gzip: true` (the first-load benchmark), every file is sent gzipped
// (level 9) to a client that accepts it, as static hosts do.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const defaultRoot = path.join(repoRoot, 'dist');

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'application/yaml; charset=utf-8',
  '.yml': 'application/yaml; charset=utf-8',
  '.har': 'application/json; charset=utf-8',
};

/** Normalise a sub-path to "/x/y/" form ("/" for the root). */
export function normaliseBase(base = '/') {
  let b = String(base).trim();
  if (!b.startsWith('/')) b = '/' + b;
  if (!b.endsWith('/')) b += '/';
  return b.replace(/\/{2,}/g, '/');
}

/**
 * Start the server. Resolves to { url, origin, base, port, root, requests, close }.
 * `requests` records every request line the server saw ("GET /path"), which
 * the tests use to check what the page fetched.
 */
export async function startServer({ root = defaultRoot, base = '/tools/prescan/', port = 0, host = '127.0.0.1', quiet = true, gzip = false } = {}) {
  const absRoot = path.resolve(root);
  const st = await stat(absRoot).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`serve.mjs: ${absRoot} is not a directory (build the app first: trunk build --release --offline)`);
  base = normaliseBase(base);
  const requests = [];
  let online = true;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const done = (code, headers = {}, body = '') => {
      res.writeHead(code, { 'Cache-Control': 'no-cache', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      if (!quiet) console.log(`${code} ${req.method} ${req.url}`);
    };
    if (!online) return done(503, { 'Content-Type': 'text/plain' }, 'offline\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return done(405, { Allow: 'GET, HEAD' }, 'method not allowed\n');
    let pathname;
    try { pathname = decodeURIComponent(url.pathname); } catch { return done(400, {}, 'bad request\n'); }
    if (pathname + '/' === base) return done(301, { Location: base + url.search }, '');
    if (!pathname.startsWith(base)) return done(404, { 'Content-Type': 'text/plain' }, 'not found\n');
    let rel = pathname.slice(base.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(absRoot, rel);
    if (file !== absRoot && !file.startsWith(absRoot + path.sep)) return done(404, {}, 'not found\n');
    const fst = await stat(file).catch(() => null);
    if (!fst?.isFile()) return done(404, { 'Content-Type': 'text/plain' }, 'not found\n');
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    // A validator, as static hosts send: a revalidation of an unchanged file
    // is a 304 without a body, not a second download.
    const etag = `W/"${fst.size.toString(16)}-${Math.floor(fst.mtimeMs).toString(16)}"`;
    if ((req.headers['if-none-match'] ?? '').split(/\s*,\s*/).includes(etag)) {
      res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache' });
      if (!quiet) console.log(`304 ${req.method} ${req.url}`);
      return res.end();
    }
    if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      const body = gzipSync(await readFile(file), { level: 9 });
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Encoding': 'gzip',
        'Content-Length': body.length,
        'Cache-Control': 'no-cache',
        ETag: etag,
        Vary: 'Accept-Encoding',
        'X-Content-Type-Options': 'nosniff',
      });
      return res.end(req.method === 'HEAD' ? undefined : body);
    }
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': fst.size,
      // Revalidate every time: the service worker, not the HTTP cache, is what
      // must make the app work offline.
      'Cache-Control': 'no-cache',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    });
    if (!quiet) console.log(`200 ${req.method} ${req.url}`);
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  const origin = `http://${host}:${actualPort}`;
  return {
    origin,
    base,
    port: actualPort,
    root: absRoot,
    url: origin + base,
    requests,
    /** Make every request fail with 503 (false) or serve again (true). */
    setOnline(v) { online = !!v; },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}

// CLI
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
  };
  const srv = await startServer({
    root: opt('root', defaultRoot),
    base: opt('base', '/tools/prescan/'),
    port: Number(opt('port', 0)),
    quiet: args.includes('--quiet'),
  });
  console.log(`serving ${srv.root} at ${srv.url}  (Ctrl-C to stop)`);
  const stop = async () => { await srv.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
