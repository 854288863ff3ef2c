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
 * Rejections that are Prism's limits, not faults of prescan's requests:
 * each matched on the specification's file name and the violation's text,
 * with the reason and the Prism issue.
 */
export const KNOWN_PRISM_LIMITS = [
  {
    // A Swagger 2.0 operation with a body parameter and no `consumes` (its
    // own or the document's): Prism validates no body then, and refuses any
    // (stoplightio/prism#420; a deliberate choice, stoplightio/prism#641).
    // prescan sends JSON, what such an API almost always reads.
    test: (spec, text) => /No supported content types, but request included a non-empty body/.test(text),
    why: 'Prism refuses every body of a Swagger 2.0 operation without `consumes` (stoplightio/prism#420)',
  },
  {
    // Path- and operation-level `servers` with a path of their own: Prism
    // routes by the paths alone, ignoring the servers' paths
    // (stoplightio/prism#1591); prescan sends to the server the
    // specification names for that path, as OpenAPI says.
    test: (spec, text) => spec.endsWith('server-path-level.json') && /NO_PATH_MATCHED_ERROR/.test(text),
    why: 'Prism ignores the path of path- and operation-level servers (stoplightio/prism#1591)',
  },
  {
    // A header parameter named Authorization: OpenAPI says its definition
    // "SHALL be ignored", so prescan does not send it; Prism requires it
    // (stoplightio/prism#2057).
    test: (spec, text) => /request\.header: Request header must have required property 'authorization'/.test(text),
    why: 'Prism requires a header parameter named Authorization, which OpenAPI says to ignore (stoplightio/prism#2057)',
  },
  {
    // An array field of a multipart body sent as one part (one file of an
    // array of files): multipart has no arrays, only repeated parts, and
    // Prism reads a field with a single part as a string, not as an array
    // of one; two parts would pass. One file is what a person uploads.
    test: (spec, text) => spec.endsWith('file-uploads.json')
      && /: body\.[^:]+: Request body property \S+ must be array$/.test(text),
    why: 'Prism reads a multipart field sent as one part as a single value, never as an array of one',
  },
  {
    // `encoding.style` on a multipart/form-data body: OpenAPI says it
    // "SHALL be ignored" unless the body is application/x-www-form-urlencoded,
    // so prescan sends an object part as JSON; Prism applies the style and
    // refuses the JSON's characters as reserved.
    test: (spec, text) => /Reserved characters used in request body/.test(text) && spec.endsWith('schema-encoding-style.json'),
    why: 'Prism applies encoding.style to multipart/form-data, which OpenAPI says to ignore there',
  },
];

/**
 * Rejections that no request could avoid: the specification asks for a
 * value that does not exist. Each is matched like a Prism limit.
 */
export const SPECIFICATION_FAULTS = [
  {
    // Branches of a `oneOf` that do not exclude each other: every value
    // that fits one fits another. prescan tries each branch for a value
    // that fits it alone and, finding none, says so with a Warning; the
    // rejection is excused only when prescan gave that Warning.
    test: (spec, text, warned) => warned.oneOf && /must match exactly one schema in oneOf/.test(text),
    why: 'no value fits exactly one branch of this oneOf (prescan warns)',
  },
  {
    // `allOf` of a string and an integer (readme's "quirks"): nothing is both.
    test: (spec, text) => spec.endsWith('schema-types.json') && /must be integer/.test(text),
    why: 'an allOf of a string and an integer: no value is both',
  },
  {
    // A required property whose schema is the object itself: only an
    // infinite value would fit.
    test: (spec, text) => spec.endsWith('circular-request-bodies.json') && /must have required property 'parent'/.test(text),
    why: 'a required property of the object\'s own schema: no finite value fits',
  },
  {
    // A header holding an array of objects: the `simple` style writes no
    // objects inside arrays, so a header cannot carry one (Prism reads the
    // items as strings; stoplightio/prism#2559 is the same for objects).
    test: (spec, text) => spec.endsWith('circular-paths.json') && /header\.content\.0: .*must be object/.test(text),
    why: 'an array of objects in a header: no serialization exists for it',
  },
];

/**
 * The default suite: @readme/oas-examples (2.0, 3.0, 3.1, JSON), the
 * bundled Petstore, and GitHub's REST API description (@octokit/openapi,
 * 13 MB: Prism takes a minute or two to load it).
 */
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
  out.push(path.join(here, 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json'));
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
    return await startPrism(spec, { timeoutMs: 300_000 });
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

/** The Prism limit or specification fault that excuses a rejection, if any. */
function excuse(spec, text, warned) {
  const limit = KNOWN_PRISM_LIMITS.find((k) => k.test(spec, text, warned));
  if (limit) return { kind: 'prism', why: limit.why };
  const fault = SPECIFICATION_FAULTS.find((k) => k.test(spec, text, warned));
  return fault ? { kind: 'specification', why: fault.why } : null;
}

/** What prescan itself warned about in a specification (`prescan check`). */
async function warnings(spec) {
  try {
    const { stdout } = await run(CLI, ['check', '--format', 'json', spec], { maxBuffer: 64 << 20 });
    return parseWarnings(stdout);
  } catch (e) {
    // Exit code 1 (an Error diagnostic) still prints the report.
    return parseWarnings(e.stdout ?? '[]');
  }
}

function parseWarnings(stdout) {
  const files = JSON.parse(stdout);
  const messages = files.flatMap((f) => f.diagnostics ?? []).map((d) => d.message);
  return { oneOf: messages.some((m) => m.includes('fits exactly one branch of this `oneOf`')) };
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
  const missing = specs.filter((f) => !existsSync(f));
  if (missing.length) {
    console.error(`conformance: missing ${missing.join(', ')}: run scripts/setup (npm ci in tests/e2e)`);
    process.exit(2);
  }
  if (!existsSync(CLI)) {
    console.error(`conformance: no prescan command at ${CLI}: run cargo build -p prescan-cli (or set PRESCAN_CLI)`);
    process.exit(2);
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'prescan-conformance-'));
  const results = [];
  const n = { total: 0, accepted: 0, rejected: 0, prism: 0, specification: 0, skipped: 0, unauthenticated: 0, unreplayable: 0 };
  for (const spec of specs) {
    const name = path.relative(repo, spec);
    const prism = await tryPrism(spec);
    if (prism.error) {
      results.push({ spec: name, skipped: prism.error });
      // Only a specification with no operation (webhooks alone) is one
      // Prism may refuse; any other failure to start fails the test.
      if (/No operations found in the current file/.test(prism.error)) {
        n.skipped++;
        console.log(`- ${name}: skipped, Prism refuses a file with no operations`);
      } else {
        n.rejected++;
        console.log(`✖ ${name}: Prism did not start: ${prism.error.slice(0, 300)}`);
      }
      continue;
    }
    try {
      results.push(await conform(spec, name, prism, path.join(work, `${results.length}.har`), n));
    } finally {
      await prism.stop();
    }
  }
  const share = n.total ? ((100 * n.accepted) / n.total).toFixed(1) : '0';
  console.log(`\n${specs.length} specifications (${n.skipped} Prism cannot load), ${n.total} requests: ${n.accepted} accepted (${share}%), ${n.rejected} rejected; excused: ${n.prism} for Prism's limits (${KNOWN_PRISM_LIMITS.length} listed), ${n.specification} for faults of the specification (${SPECIFICATION_FAULTS.length} listed); ${n.unauthenticated} not validated (security not satisfied), ${n.unreplayable} Prism did not answer`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ ...n, results }, null, 2));
  process.exit(n.rejected ? 1 : 0);
}

/** Converts one specification, replays its requests to `prism`, counts into `n`. */
async function conform(spec, name, prism, har, n) {
  try {
    await run(CLI, ['convert', spec, '--server', prism.url, '-o', har], { maxBuffer: 64 << 20 });
  } catch (e) {
    // prescan refusing a specification is a failure of this test.
    n.rejected++;
    console.log(`✖ ${name}: prescan convert failed: ${String(e.stderr ?? e).slice(0, 300)}`);
    return { spec: name, failed: String(e.stderr ?? e).slice(0, 300) };
  }
  const entries = JSON.parse(readFileSync(har, 'utf8')).log.entries;
  const creds = placeholders(parseSpec(spec));
  let warned = null;
  const rows = [];
  for (const entry of entries) {
    const v = await replay(entry, creds);
    const line = `${entry.request.method} ${new URL(entry.request.url).pathname}`;
    n.total++;
    if (v.verdict === 'accepted') {
      n.accepted++;
    } else if (v.verdict === 'error') {
      // Prism closed the connection without an answer, even on the raw
      // socket: it fails on the request (object values in path parameters,
      // some server variables and uploads) before validating anything.
      n.unreplayable++;
      rows.push({ request: line, status: null, violation: `Prism closed the connection without answering (${v.detail})`, excused: 'no answer' });
    } else if (v.kind === 'UNAUTHORIZED' || /Invalid security scheme used/.test(v.detail)) {
      // The placeholders did not satisfy the operation's security (a
      // scheme prescan cannot fill in alone): nothing else was validated.
      n.unauthenticated++;
      rows.push({ request: line, status: v.status, violation: 'not validated: the placeholder credentials did not satisfy its security', excused: 'credentials' });
    } else {
      const text = `${v.kind}: ${v.detail}`;
      warned ??= await warnings(spec);
      const e = excuse(name, text, warned);
      if (e) n[e.kind]++;
      else n.rejected++;
      rows.push({ request: line, status: v.status, violation: text, excused: e ? `${e.kind}: ${e.why}` : null });
    }
  }
  const own = rows.filter((r) => !r.excused).length;
  console.log(`${own ? '✖' : '✔'} ${name}: ${entries.length - rows.length}/${entries.length} accepted${own ? `, ${own} rejected` : ''}`);
  for (const r of rows) console.log(`    ${r.excused ? `(${r.excused}) ` : 'REJECTED '}${r.request} -> ${r.status} ${r.violation.slice(0, 300)}`);
  return { spec: name, requests: entries.length, rejections: rows };
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
