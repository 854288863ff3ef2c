// Conformance of prescan's requests, checked by a validator nobody here wrote
// (issue 17): for each specification, prescan's command line converts it to
// HAR with Stoplight Prism's mock as the server, Prism (npm
// @stoplight/prism-cli, which validates every request against the
// specification) is started on 127.0.0.1, and every request of the HAR is
// replayed to it. A request Prism rejects as invalid (422 or 400 with its
// validation problems, 404/405 for a path or method it does not know) is a
// violation; one it accepts (any other answer) is accepted.
//
// Credentials: prescan sends only what the user gives it, so a request of a
// secured operation carries none and Prism answers 401 before it validates
// anything else. The replay adds a placeholder for each security scheme the
// specification declares (bearer, basic, API keys in a header, query or
// cookie), so that the values prescan wrote are what gets validated.
//
//   node tests/e2e/conformance.mjs                    the default suite
//   node tests/e2e/conformance.mjs SPEC...            these files
//   node tests/e2e/conformance.mjs --json out.json    also write the results
//
// The converter is the `prescan` command (crates/cli): PRESCAN_CLI, else
// target/debug/prescan (`cargo build -p prescan-cli`). Exit code 1 when a
// request is rejected for a reason not in KNOWN_PRISM_LIMITS, 0 otherwise.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { startPrism } from './prism.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const YAML = require('yaml');
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const CLI = process.env.PRESCAN_CLI ?? path.join(repo, 'target', 'debug', 'prescan');

/**
 * Rejections that are Prism's limits, not prescan's requests: each matched by
 * a test on the violation's text, with the reason (and the Prism issue).
 */
export const KNOWN_PRISM_LIMITS = [
  // Filled from measured runs; every entry says why it is Prism's, not ours.
];

/** The default suite: @readme/oas-examples (2.0, 3.0, 3.1, JSON) and the bundled Petstore. */
function defaultSuite() {
  const root = path.join(here, 'node_modules', '@readme', 'oas-examples');
  const out = [];
  for (const version of ['2.0', '3.0', '3.1']) {
    const dir = path.join(root, version, 'json');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.json')) out.push(path.join(dir, f));
    }
  }
  out.push(path.join(repo, 'public', 'samples', 'petstore.yaml'));
  return out;
}

function parseSpec(file) {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
}

/** Placeholder credentials for every security scheme the specification declares. */
function placeholders(doc) {
  const schemes = doc?.components?.securitySchemes ?? doc?.securityDefinitions ?? {};
  const add = { headers: {}, query: {}, cookies: {} };
  for (const s of Object.values(schemes)) {
    if (!s || typeof s !== 'object') continue;
    const type = String(s.type ?? '').toLowerCase();
    if (type === 'apikey') {
      const where = String(s.in ?? 'header').toLowerCase();
      const bucket = where === 'query' ? add.query : where === 'cookie' ? add.cookies : add.headers;
      if (s.name) bucket[s.name] = 'prescan-placeholder';
    } else if (type === 'http' && String(s.scheme ?? '').toLowerCase() === 'basic') {
      add.headers.Authorization = `Basic ${Buffer.from('user:password').toString('base64')}`;
    } else if (type === 'basic') {
      add.headers.Authorization = `Basic ${Buffer.from('user:password').toString('base64')}`;
    } else if (!add.headers.Authorization) {
      // http bearer, oauth2, openIdConnect
      add.headers.Authorization = 'Bearer prescan-placeholder';
    }
  }
  return add;
}

/** prism.mjs's startPrism, with a refusal (a specification Prism cannot load) as a value. */
async function tryPrism(spec) {
  try {
    return await startPrism(spec);
  } catch (e) {
    return { error: String(e.message ?? e).split('\n').slice(-5).join(' ') };
  }
}

const HOP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'cookie']);

/**
 * The body a HAR request describes: its `text`, else its `params` written
 * as the scanner writes them (HAR 1.2 gives a form body as `params` alone):
 * multipart parts with the boundary of `mimeType`, or a URL-encoded form.
 */
function bodyOf(postData) {
  if (!postData) return undefined;
  if (postData.text !== undefined || !Array.isArray(postData.params)) return postData.text;
  const mime = String(postData.mimeType ?? '');
  const boundary = /boundary=("?)([^";]+)\1/i.exec(mime)?.[2];
  if (mime.toLowerCase().startsWith('multipart/form-data') && boundary) {
    const parts = postData.params.map((p) => {
      const file = p.fileName !== undefined ? `; filename="${p.fileName}"` : '';
      const type = p.contentType ? `\r\nContent-Type: ${p.contentType}` : '';
      return `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}${type}\r\n\r\n${p.value ?? ''}\r\n`;
    });
    return `${parts.join('')}--${boundary}--\r\n`;
  }
  return new URLSearchParams(postData.params.map((p) => [p.name, p.value ?? ''])).toString();
}

/**
 * One HTTP/1.1 exchange over a plain socket: the first status line and
 * headers the server writes (whatever its status), and what of the body
 * arrives within half a second.
 */
function rawExchange(url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks = [];
    let timer = null;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('utf8');
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error('no answer'));
      const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      const h = new Headers();
      for (const line of lines) {
        const at = line.indexOf(':');
        if (at > 0) h.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      resolve({ status, headers: h, text: raw.slice(end + 4) });
    };
    socket.setTimeout(5000, finish);
    socket.on('error', reject);
    socket.on('data', (d) => {
      chunks.push(d);
      if (!timer && Buffer.concat(chunks).includes('\r\n\r\n')) timer = setTimeout(finish, 500);
    });
    socket.on('end', finish);
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close'];
    for (const [k, v] of headers) head.push(`${k}: ${v}`);
    if (body !== undefined) head.push(`Content-Length: ${payload.length}`);
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    socket.end(payload);
  });
}

/** Replays one HAR request to Prism with the placeholders; the verdict. */
async function replay(entry, creds) {
  const req = entry.request;
  const url = new URL(req.url);
  for (const [k, v] of Object.entries(creds.query)) {
    if (!url.searchParams.has(k)) url.searchParams.set(k, v);
  }
  const headers = new Headers();
  for (const h of req.headers ?? []) {
    if (!HOP.has(h.name.toLowerCase())) headers.append(h.name, h.value);
  }
  for (const [k, v] of Object.entries(creds.headers)) {
    if (!headers.has(k)) headers.set(k, v);
  }
  const cookies = [...(req.cookies ?? []).map((c) => `${c.name}=${c.value}`),
    ...Object.entries(creds.cookies).map(([k, v]) => `${k}=${v}`)];
  if (cookies.length) headers.set('cookie', cookies.join('; '));
  const body = bodyOf(req.postData);
  const sent = body === undefined || ['GET', 'HEAD'].includes(req.method) ? undefined : body;
  let r;
  try {
    const answer = await fetch(url, { method: req.method, headers, body: sent });
    r = { status: answer.status, headers: answer.headers, text: await answer.text() };
  } catch (e) {
    // fetch refuses some answers a mock gives when the specification asks
    // for them (an informational 1xx, a 407): read the raw answer instead.
    r = await rawExchange(url, req.method, headers, sent).catch(() => null);
    if (!r) return { verdict: 'error', detail: String(e) };
  }
  const text = r.text;
  // Prism lists what it found wrong in `sl-violations` (also when it answers
  // with the specification's own 400/422 response), and answers its own
  // problems (https://stoplight.io/prism/errors#...) when the specification
  // has none: a path or method it does not know, an invalid request.
  let listed = [];
  try { listed = JSON.parse(r.headers.get('sl-violations') ?? '[]'); } catch { /* none */ }
  // Only the request's: Prism also checks its own mock response against the
  // specification, which says nothing of what prescan sent.
  const errors = listed.filter((v) => String(v.severity ?? 'Error') === 'Error'
    && !['response', 'output'].includes(String((v.location ?? v.path ?? [])[0] ?? '')));
  let problem = {};
  try { problem = JSON.parse(text) ?? {}; } catch { /* not JSON */ }
  if (typeof problem !== 'object') problem = {};
  const type = String(problem.type ?? '');
  // A 5xx problem of Prism's (no response it can mock) comes after the
  // request was validated and found valid.
  const prismProblem = type.includes('stoplight.io/prism/errors') && r.status >= 400 && r.status < 500;
  if (!errors.length && !prismProblem) return { verdict: 'accepted', status: r.status };
  const violations = [...errors, ...(problem.validation ?? [])]
    .map((v) => `${(v.location ?? v.path ?? []).join('.')}: ${v.message}`);
  return {
    verdict: 'rejected',
    status: r.status,
    kind: prismProblem ? (type.split('#')[1] ?? type) : 'VIOLATIONS',
    detail: [...new Set(violations)].join('; ') || String(problem.detail ?? problem.title ?? ''),
  };
}

function known(rejection) {
  return KNOWN_PRISM_LIMITS.find((k) => k.test(rejection));
}

async function main() {
  const args = process.argv.slice(2);
  let jsonOut = null;
  const specs = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') jsonOut = args[++i];
    else specs.push(path.resolve(args[i]));
  }
  if (!specs.length) specs.push(...defaultSuite());
  if (!existsSync(CLI)) {
    console.error(`conformance: no prescan command at ${CLI}: run cargo build -p prescan-cli (or set PRESCAN_CLI)`);
    process.exit(2);
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'prescan-conformance-'));
  const results = [];
  let total = 0, accepted = 0, rejected = 0, excused = 0, skipped = 0, unauthenticated = 0, unreplayable = 0;
  for (const spec of specs) {
    const name = path.relative(repo, spec);
    const prism = await tryPrism(spec);
    if (prism.error) {
      results.push({ spec: name, skipped: prism.error });
      skipped++;
      console.log(`- ${name}: skipped (${prism.error.slice(0, 160)})`);
      continue;
    }
    const har = path.join(work, `${results.length}.har`);
    try {
      await run(CLI, ['convert', spec, '--server', prism.url, '-o', har]);
    } catch (e) {
      await prism.stop();
      results.push({ spec: name, skipped: `prescan convert failed: ${String(e.stderr ?? e).slice(0, 300)}` });
      skipped++;
      continue;
    }
    const entries = JSON.parse(readFileSync(har, 'utf8')).log.entries;
    const creds = placeholders(parseSpec(spec));
    const rows = [];
    for (const entry of entries) {
      const v = await replay(entry, creds);
      const line = `${entry.request.method} ${new URL(entry.request.url).pathname}`;
      total++;
      if (v.verdict === 'accepted') accepted++;
      else if (v.verdict === 'error') {
        // Prism answered something fetch cannot read (a 1xx or 407 status
        // the specification asks for): not a verdict on the request.
        unreplayable++;
        rows.push({ request: line, status: null, violation: `not replayed: ${v.detail}`, excused: 'replay' });
      } else if (v.kind === 'UNAUTHORIZED' || /Invalid security scheme used/.test(v.detail)) {
        // The placeholders did not satisfy the operation's security (a
        // scheme prescan cannot fill in alone): nothing else was validated.
        unauthenticated++;
        rows.push({ request: line, status: v.status, violation: 'not validated: the placeholder credentials did not satisfy its security', excused: 'credentials' });
      } else {
        const text = `${v.kind}: ${v.detail}`;
        const k = known(text);
        if (k) excused++;
        else rejected++;
        rows.push({ request: line, status: v.status, violation: text, excused: k?.why ?? null });
      }
    }
    await prism.stop();
    results.push({ spec: name, requests: entries.length, rejections: rows });
    const own = rows.filter((r) => !r.excused).length;
    console.log(`${own ? '✖' : '✔'} ${name}: ${entries.length - rows.length}/${entries.length} accepted${own ? `, ${own} rejected` : ''}`);
    for (const r of rows) console.log(`    ${r.excused ? '(Prism) ' : ''}${r.request} -> ${r.status} ${r.violation.slice(0, 300)}`);
  }
  const share = total ? ((100 * accepted) / total).toFixed(1) : '0';
  console.log(`\n${specs.length} specifications (${skipped} Prism could not load), ${total} requests: ${accepted} accepted (${share}%), ${rejected} rejected, ${excused} rejected for known Prism limits, ${unauthenticated} not validated (security not satisfied), ${unreplayable} not replayed`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ total, accepted, rejected, excused, unauthenticated, unreplayable, skipped, results }, null, 2));
  process.exit(rejected ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
