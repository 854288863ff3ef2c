// Settings (#/settings): where analyses are kept. "This browser" by default,
// "JSON API at URL" with a checked URL and an optional bearer token, the
// connection check's exact messages (server down, 401 problem, malformed
// JSON, success), what Save remembers (localStorage; the token in
// sessionStorage unless remembered), the backend shown in the header, and the
// refresh banner when the server goes away and comes back. Against a tiny
// stub server (the reference server has its own end-to-end tests).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { useApp, byId, screenshot, TIMEOUT } from './helpers.mjs';

const app = useApp();

/**
 * A stub of the JSON API on 127.0.0.1 with CORS for any origin. `mode`:
 * ok | unauthorized | malformed | failing. `token`: the bearer token the
 * list needs (none: any request passes).
 */
async function startStub() {
  const stub = { mode: 'ok', token: null, analyses: [], requests: [] };
  const server = createServer((req, res) => {
    stub.requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`.trim());
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': 'authorization, content-type, accept',
      'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE, OPTIONS',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    const send = (status, body, type = 'application/json') => {
      res.writeHead(status, { ...cors, 'Content-Type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const url = new URL(req.url, 'http://stub');
    if (stub.mode === 'failing') {
      send(500, { type: 'urn:prescan:problem:internal', title: 'Internal server error', status: 500, detail: 'The database is locked.' }, 'application/problem+json');
      return;
    }
    if (url.pathname === '/api/v1/health') {
      if (stub.mode === 'malformed') send(200, '{"status": "ok", "version": }');
      else send(200, { status: 'ok', version: '9.9.9', store_version: 1 });
      return;
    }
    if (url.pathname === '/api/v1/notifications' && req.method === 'GET') {
      // The app's notification poller (store/feed.rs) asks every 5 s.
      send(200, { notifications: [], latest_notification_id: 0 });
      return;
    }
    if (url.pathname === '/api/v1/analyses' && req.method === 'GET') {
      const auth = req.headers.authorization ?? '';
      if (stub.mode === 'unauthorized' || (stub.token && auth !== `Bearer ${stub.token}`)) {
        res.writeHead(401, { ...cors, 'Content-Type': 'application/problem+json', 'WWW-Authenticate': 'Bearer' });
        res.end(JSON.stringify({
          type: 'urn:prescan:problem:unauthorized', title: 'Unauthorized', status: 401,
          detail: 'This server needs a bearer token: send the header Authorization: Bearer <token> with the token the server was started with.',
        }));
        return;
      }
      const size = Number(url.searchParams.get('size') ?? 20);
      send(200, {
        analyses: stub.analyses.slice(0, size),
        page: { number: 0, size, total_elements: stub.analyses.length, total_pages: stub.analyses.length ? 1 : 0 },
      });
      return;
    }
    send(404, { type: 'urn:prescan:problem:not-found', title: 'Not found', status: 404, detail: `Nothing at ${url.pathname}.` }, 'application/problem+json');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${server.address().port}`;
  stub.close = () => new Promise((resolve) => server.close(resolve));
  server.closeAllConnections?.();
  stub.server = server;
  return stub;
}

/** A URL where nothing listens. */
async function deadUrl() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}

function summary(id, name) {
  return {
    analysis_id: id, name, status: 'IN_PROGRESS', status_label: 'In Progress', veracode_status: 'IN_PROGRESS',
    has_verification_failures: false, number_of_scans: 1, latest_occurrence_date_time: '2026-11-22T04:45:00Z',
    next_occurrence_date_time: null, last_modified_on: '2026-11-22T04:40:00Z', actions: ['STOP_SAVE', 'STOP_DELETE', 'PAUSE'], demo: false,
  };
}

/** Opens Settings; the failed requests of the checks are expected. */
async function openSettings(context) {
  const page = await app.open({ path: '#/settings', context, waitForApp: false });
  // Failed requests (server down, 401, 500, and the probe of this app's own
  // origin for "Use this server") are logged by the browser as console errors.
  page.allowErrors(/Failed to load resource|ERR_CONNECTION_REFUSED/);
  await byId(page, 'settings-form').waitFor();
  return page;
}

async function checkResult(page) {
  const el = byId(page, 'settings-check-result');
  await page.waitForFunction(
    () => ['ok', 'failed'].includes(document.querySelector('[data-testid=settings-check-result]')?.dataset.outcome),
    null,
    { timeout: TIMEOUT },
  );
  return { outcome: await el.getAttribute('data-outcome'), text: (await el.textContent()).trim() };
}

async function chooseApi(page, url, token = '') {
  await byId(page, 'settings-backend-api').check();
  await byId(page, 'settings-url').fill(url);
  await byId(page, 'settings-token').fill(token);
}

describe('settings', () => {
  let stub;
  before(async () => { stub = await startStub(); });
  after(async () => { await stub?.close(); });

  it('is in the nav; the browser is the default backend; a URL that is not http(s) is refused next to its field', async () => {
    const page = await openSettings();
    assert.equal(await byId(page, 'nav-settings').getAttribute('aria-current'), 'page');
    assert.ok(await byId(page, 'settings-backend-browser').isChecked());
    assert.ok(!(await byId(page, 'settings-backend-api').isChecked()));
    assert.equal((await byId(page, 'backend-indicator').textContent()).trim(), 'Analyses: this browser');
    assert.equal(await byId(page, 'backend-indicator').getAttribute('data-backend'), 'browser');
    assert.ok(await byId(page, 'settings-url').isDisabled(), 'the URL waits for "JSON API at URL"');
    assert.equal(await byId(page, 'settings-use-this-server').count(), 0, 'the static test server is not a prescan server');

    await chooseApi(page, 'ftp://example.com');
    await byId(page, 'settings-check').click();
    await byId(page, 'settings-url-error').waitFor();
    assert.match(await byId(page, 'settings-url-error').textContent(), /not an http:\/\/ or https:\/\/ URL/);
    assert.equal(await byId(page, 'settings-url').getAttribute('aria-invalid'), 'true');
    await byId(page, 'settings-save').click();
    assert.match(await byId(page, 'settings-saved').textContent(), /Nothing was saved/);
    assert.equal((await byId(page, 'backend-indicator').textContent()).trim(), 'Analyses: this browser');
    assert.equal(await byId(page, 'settings-url').inputValue(), 'ftp://example.com', 'what was typed stays');
  });

  it('says when the server cannot be reached', async () => {
    const page = await openSettings();
    const url = await deadUrl();
    await chooseApi(page, url);
    await byId(page, 'settings-check').click();
    const { outcome, text } = await checkResult(page);
    assert.equal(outcome, 'failed');
    assert.ok(text.includes(`Can't reach the server at ${url}:`), text);
    assert.match(text, /Check that the server is running/);
  });

  it('shows a 401 problem: the token was refused, with the server\'s detail', async () => {
    stub.mode = 'unauthorized';
    try {
      const page = await openSettings();
      await chooseApi(page, stub.url, 'wrong-token');
      await byId(page, 'settings-check').click();
      const { outcome, text } = await checkResult(page);
      assert.equal(outcome, 'failed');
      assert.match(text, /^The server refused the token \(401 Unauthorized\)\. Check the Bearer token field above\./);
      assert.ok(!text.includes("in Settings"), "Settings does not send the person to Settings");
      assert.match(text, /send the header Authorization: Bearer <token>/);
      assert.ok(stub.requests.includes('GET /api/v1/analyses?size=1 Bearer wrong-token'), stub.requests.join('\n'));
      await screenshot(page, 'settings-401');
    } finally {
      stub.mode = 'ok';
    }
  });

  it('says where malformed JSON goes wrong', async () => {
    stub.mode = 'malformed';
    try {
      const page = await openSettings();
      await chooseApi(page, stub.url);
      await byId(page, 'settings-check').click();
      const { outcome, text } = await checkResult(page);
      assert.equal(outcome, 'failed');
      assert.match(text, /^The server answered with something that is not the JSON the contract describes: .* at line 1 column \d+/);
    } finally {
      stub.mode = 'ok';
    }
  });

  it('checks, saves and uses a server: the header says which, the token stays in the tab, the refresh banner recovers by itself', async () => {
    stub.token = 's3cret';
    stub.analyses = [summary(41, 'Payments API weekly'), summary(42, 'Orders API nightly')];
    try {
      const context = await app.newContext();
      const page = await openSettings(context);
      await chooseApi(page, `${stub.url}/`, 's3cret');
      assert.ok(!(await byId(page, 'settings-remember-token').isChecked()));
      await byId(page, 'settings-check').click();
      const { outcome, text } = await checkResult(page);
      assert.equal(outcome, 'ok', text);
      assert.match(text, /version 9\.9\.9/);
      assert.match(text, /2 analyses/);
      assert.match(text, /The token was accepted\./);
      await screenshot(page, 'settings-connected');

      await byId(page, 'settings-save').click();
      await byId(page, 'settings-saved').filter({ hasText: /Saved/ }).waitFor();
      const host = stub.url.replace('http://', '');
      assert.equal((await byId(page, 'backend-indicator').textContent()).trim(), `Analyses: ${host}`);
      assert.equal(await byId(page, 'backend-indicator').getAttribute('data-backend'), 'api');
      const stored = await page.evaluate(() => ({
        backend: localStorage.getItem('prescan.backend'),
        url: localStorage.getItem('prescan.api.url'),
        localToken: localStorage.getItem('prescan.api.token'),
        sessionToken: sessionStorage.getItem('prescan.api.token'),
      }));
      assert.deepEqual(stored, { backend: 'api', url: stub.url, localToken: null, sessionToken: 's3cret' });

      // The list comes from the server; demo data, export and import are for the browser.
      await page.evaluate(() => { location.hash = '#/analyses'; });
      await byId(page, 'analysis-row').first().waitFor();
      assert.deepEqual(await byId(page, 'analysis-link').allTextContents(), ['Payments API weekly', 'Orders API nightly']);
      assert.ok(stub.requests.some((r) => r.startsWith('GET /api/v1/analyses?size=100 Bearer s3cret')), stub.requests.join('\n'));
      assert.equal((await byId(page, 'analyses-count').textContent()).trim(), '2 of 2 analyses');
      assert.ok(await byId(page, 'data-tools-api').isVisible());
      assert.ok(!(await byId(page, 'add-demo').isVisible()));

      // The server fails: the banner says so and counts down; the rows stay.
      stub.mode = 'failing';
      await byId(page, 'poll-error').waitFor({ timeout: TIMEOUT });
      assert.match(await byId(page, 'poll-error-message').textContent(), /The server failed \(500 Internal server error\): The database is locked\./);
      await page.waitForFunction(() => /Retrying in \d+ s\./.test(document.querySelector('[data-testid=poll-countdown]')?.textContent ?? ''), null, { timeout: TIMEOUT });
      assert.equal(await byId(page, 'analysis-row').count(), 2, 'the last list stays');
      await screenshot(page, 'settings-poll-error');

      // It comes back: "Retry now" (or the countdown) clears the banner.
      stub.mode = 'ok';
      stub.analyses.push(summary(43, 'Search API'));
      await byId(page, 'poll-retry').click();
      await byId(page, 'poll-error').waitFor({ state: 'detached', timeout: TIMEOUT });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=analysis-row]').length === 3, null, { timeout: TIMEOUT });

      // A reload in the same tab keeps the server and the token (sessionStorage).
      await page.reload();
      await byId(page, 'analysis-row').first().waitFor();
      assert.equal((await byId(page, 'backend-indicator').textContent()).trim(), `Analyses: ${host}`);

      // Back to this browser.
      await page.evaluate(() => { location.hash = '#/settings'; });
      await byId(page, 'settings-backend-browser').check();
      await byId(page, 'settings-save').click();
      await byId(page, 'settings-saved').filter({ hasText: /this browser/ }).waitFor();
      assert.equal((await byId(page, 'backend-indicator').textContent()).trim(), 'Analyses: this browser');
      assert.equal(await page.evaluate(() => localStorage.getItem('prescan.backend')), 'browser');
    } finally {
      stub.token = null;
      stub.mode = 'ok';
      stub.analyses = [];
    }
  });

  it('remembers the token on the device only when asked', async () => {
    const context = await app.newContext();
    const page = await openSettings(context);
    await chooseApi(page, stub.url, 'keep-me');
    await byId(page, 'settings-remember-token').check();
    await byId(page, 'settings-save').click();
    await byId(page, 'settings-saved').filter({ hasText: /Saved/ }).waitFor();
    const stored = await page.evaluate(() => ({
      localToken: localStorage.getItem('prescan.api.token'),
      sessionToken: sessionStorage.getItem('prescan.api.token'),
    }));
    assert.deepEqual(stored, { localToken: 'keep-me', sessionToken: null });
    // A new tab (same profile) reads it back.
    const other = await context.newPage();
    other.allowErrors = () => {};
    await other.goto(app.server.url + '#/settings');
    await byId(other, 'settings-form').waitFor();
    assert.equal(await byId(other, 'settings-token').inputValue(), 'keep-me');
    assert.ok(await byId(other, 'settings-remember-token').isChecked());
    await screenshot(page, 'settings-page');
  });
});
