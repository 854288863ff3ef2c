// OAuth 2.0 in the browser prescan (issue 18): a token endpoint in front of a
// protected API, both on 127.0.0.1 (a Node server started here). The app gets
// a token before the first request (the token URL taken from the
// specification's client credentials flow, or from an OpenID Connect
// discovery document), sends it as a bearer token, and shows the token
// request as a row of its own; the secret and the token appear nowhere on the
// page or in the prescan's HAR. A token endpoint that does not allow the
// page's origin (no CORS) gets a note that says so and points to the server
// prescan.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  useApp, text, tempDir, writeTemp, screenshot, openPrescanOf, download, TIMEOUT,
} from './helpers.mjs';

const app = useApp();

const CLIENT_ID = 'browser-client';
const CLIENT_SECRET = 'e2e-cl1ent-s3cret-5c1a';

/**
 * A token endpoint (`POST /token`, client in HTTP Basic or in the form body;
 * `basic: false` refuses Basic), its discovery document and a protected API
 * (`/items/*`: 200 with a token issued here, else 401). `cors: false` sends
 * no CORS headers at all (a browser then refuses the token response).
 */
async function startOAuth({ cors = true, basic = true } = {}) {
  const tokens = [];
  const seen = [];
  const server = createServer((req, res) => {
    const headers = cors ? {
      'Access-Control-Allow-Origin': req.headers.origin ?? '*',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
      'Access-Control-Allow-Methods': 'GET, POST',
    } : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(cors ? 204 : 405, headers);
      return res.end();
    }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const path = req.url.split('?')[0];
      seen.push(`${req.method} ${path}`);
      const json = (status, value) => {
        res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify(value));
      };
      const port = server.address().port;
      if (path === '/.well-known/openid-configuration') {
        return json(200, {
          issuer: `http://127.0.0.1:${port}`,
          token_endpoint: `http://127.0.0.1:${port}/token`,
          grant_types_supported: ['client_credentials'],
        });
      }
      if (path === '/token') {
        const form = new URLSearchParams(body);
        let id; let secret;
        const auth = req.headers.authorization ?? '';
        if (auth.startsWith('Basic ')) {
          if (!basic) return json(401, { error: 'invalid_client', error_description: 'Basic not accepted' });
          const [i, s] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
          id = decodeURIComponent(i.replace(/\+/g, ' '));
          secret = decodeURIComponent(s.replace(/\+/g, ' '));
        } else {
          id = form.get('client_id');
          secret = form.get('client_secret');
        }
        if (id !== CLIENT_ID || secret !== CLIENT_SECRET) return json(401, { error: 'invalid_client' });
        if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
        const token = `e2e-token-${tokens.length + 1}-${Math.random().toString(36).slice(2)}`;
        tokens.push(token);
        return json(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      }
      const presented = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      return tokens.includes(presented) ? json(200, { items: [] }) : json(401, { error: 'unauthorized' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, tokens, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const spec = (tokenUrl) => `openapi: 3.0.3
info: { title: Protected, version: 1.0.0 }
servers: [ { url: 'https://api.example.com' } ]
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials: { tokenUrl: '${tokenUrl}', scopes: { read: Read } }
security: [ { oauth: [ read ] } ]
paths:
  /items/1:
    get: { responses: { '200': { description: One } } }
  /items/2:
    get: { responses: { '200': { description: Two } } }
`;

async function fillOAuth(page, { tokenUrl = '', discoveryUrl = '' } = {}) {
  await page.getByTestId('prescan-oauth').check();
  await page.getByTestId('prescan-oauth-token-url').fill(tokenUrl);
  await page.getByTestId('prescan-oauth-discovery-url').fill(discoveryUrl);
  await page.getByTestId('prescan-oauth-client-id').fill(CLIENT_ID);
  await page.getByTestId('prescan-oauth-client-secret').fill(CLIENT_SECRET);
  await page.getByTestId('prescan-oauth-scopes').fill('read');
}

async function run(page) {
  await page.getByTestId('prescan-run').click();
  await page.getByTestId('prescan-status').filter({ hasText: /Prescan (Succeeded|Failed)/ })
    .waitFor({ timeout: TIMEOUT });
  return text(page, 'prescan-status');
}

async function rows(page) {
  const all = page.getByTestId('prescan-row');
  const out = [];
  for (let i = 0; i < await all.count(); i++) {
    const row = all.nth(i);
    out.push({
      text: (await row.textContent()).replace(/\s+/g, ' ').trim(),
      response: (await row.getByTestId('prescan-row-response').textContent()).trim(),
      token: await row.getByTestId('prescan-token-row').count() > 0,
    });
  }
  return out;
}

describe('OAuth 2.0 in the browser prescan', () => {
  let oauth;
  let closed;
  before(async () => {
    oauth = await startOAuth({ basic: false });
    closed = await startOAuth({ cors: false });
  });
  after(async () => {
    await oauth?.close();
    await closed?.close();
  });

  it('gets a token from the specification\'s token URL (Basic refused, then the body) and every request carries it', async () => {
    const file = await writeTemp(await tempDir(), 'protected.yaml', spec(`${oauth.url}/token`));
    const context = await app.newContext();
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    page.allowErrors(/Failed to load resource/);
    await openPrescanOf(page, app.server.url, { name: 'OAuth prescan', file });
    await page.getByTestId('prescan-base-url').fill(oauth.url);
    await fillOAuth(page);
    assert.equal(await run(page), 'Prescan Succeeded');
    const r = await rows(page);
    const tokenRows = r.filter((x) => x.token);
    assert.equal(tokenRows.length, 2, JSON.stringify(r));
    assert.match(tokenRows[0].response, /^401/);
    assert.match(tokenRows[1].response, /^200/);
    assert.match(tokenRows[1].text, /\/token/);
    const api = r.filter((x) => !x.token);
    assert.equal(api.length, 2);
    for (const x of api) assert.match(x.response, /^200/);
    assert.match(await text(page, 'connection-token'), /a token was received/);
    assert.equal(oauth.tokens.length, 1);
    // The specification's token URL is now in the field, to change if need be.
    assert.equal(await page.getByTestId('prescan-oauth-token-url').inputValue(), `${oauth.url}/token`);
    const body = await page.locator('body').textContent();
    assert.ok(!body.includes(CLIENT_SECRET) && !body.includes(oauth.tokens[0]), 'no secret or token on the page');
    await screenshot(page, 'prescan-oauth');
    await page.getByTestId('tab-configuration').click();
    const har = await download(page, 'download-prescan-har');
    const harText = har.bytes.toString('utf8');
    assert.ok(!harText.includes(CLIENT_SECRET) && !harText.includes(oauth.tokens[0]), 'no secret or token in the HAR');
    assert.match(harText, /Bearer \*\*\*/);
  });

  it('reads the token endpoint from an OpenID Connect discovery document', async () => {
    const file = await writeTemp(await tempDir(), 'discovery.yaml', spec('/token'));
    const context = await app.newContext();
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    page.allowErrors(/Failed to load resource/);
    await openPrescanOf(page, app.server.url, { name: 'OAuth discovery', file });
    await page.getByTestId('prescan-base-url').fill(oauth.url);
    await fillOAuth(page, { discoveryUrl: `${oauth.url}/.well-known/openid-configuration` });
    await page.getByTestId('prescan-oauth-auth-body').check();
    assert.equal(await run(page), 'Prescan Succeeded');
    const r = await rows(page);
    assert.match(r[0].text, /openid-configuration/);
    assert.ok(r[0].token && r[1].token, JSON.stringify(r));
    assert.match(r[1].response, /^200/);
    assert.deepEqual(r.filter((x) => !x.token).map((x) => x.response.slice(0, 3)), ['200', '200']);
  });

  it('a token endpoint without CORS: the note says so and points to the server prescan', async () => {
    const file = await writeTemp(await tempDir(), 'no-cors.yaml', spec(`${closed.url}/token`));
    const context = await app.newContext();
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    page.allowErrors(/Failed to load resource|CORS|Access-Control/);
    await openPrescanOf(page, app.server.url, { name: 'OAuth no CORS', file });
    // The API is the CORS-friendly server; only the token endpoint refuses.
    await page.getByTestId('prescan-base-url').fill(oauth.url);
    await fillOAuth(page);
    assert.match(await run(page), /^Prescan Failed/);
    const r = await rows(page);
    assert.ok(r[0].token, JSON.stringify(r));
    assert.match(r[0].response, /No response from server/);
    assert.match(r[0].text, /CORS/);
    assert.match(await text(page, 'connection-token'), /no token was received/);
    await page.getByTestId('prescan-notes').waitFor();
    const notes = await page.getByTestId('prescan-notes').textContent();
    assert.match(notes, /does not allow this page's origin \(CORS\)/);
    assert.match(notes, /run the prescan on the server/);
    // The requests went without a token, and the API refused them.
    assert.deepEqual(r.filter((x) => !x.token).map((x) => x.response.slice(0, 3)), ['401', '401']);
    assert.ok(!(await page.locator('body').textContent()).includes(CLIENT_SECRET));
  });
});
