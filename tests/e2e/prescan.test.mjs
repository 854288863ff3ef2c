// Prescan Details against a real HTTP server nobody here wrote: Stoplight's
// Prism mock server (npm @stoplight/prism-cli), started on 127.0.0.1 on a free
// port for each specification. The app is served on another port, so every
// request is a cross-origin fetch (Prism answers CORS preflights).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  useApp, text, download, assertHar, screenshot, tempDir, writeTemp, SAMPLE, TIMEOUT,
} from './helpers.mjs';
import { freePort, startPrism } from './prism.mjs';

const app = useApp();

const SECURED_SERVER = `openapi: 3.0.3
info: { title: Secured, version: 1.0.0 }
paths:
  /me:
    get:
      security: [ { key: [] } ]
      responses:
        '200':
          description: Me
          content:
            application/json:
              example: { name: Ana }
        '401':
          description: No key
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-API-Key }
`;

// The same API as its client knows it: the key is not documented.
const SECURED_CLIENT = `openapi: 3.0.3
info: { title: Secured, version: 1.0.0 }
servers: [ { url: 'https://api.example.com' } ]
paths:
  /me:
    get:
      responses:
        '200':
          description: Me
`;

const ERRORS = `openapi: 3.0.3
info: { title: Errors, version: 1.0.0 }
servers: [ { url: 'https://api.example.com' } ]
paths:
  /ok:
    get:
      responses:
        '200':
          description: Fine
          content:
            application/json:
              example: { ok: true }
  /broken:
    get:
      responses:
        '500':
          description: Always fails
          content:
            application/json:
              example: { error: boom }
`;

async function createWith(specFile, name) {
  const context = await app.newContext();
  const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
  // Responses of 4xx/5xx and refused connections are logged by the browser.
  page.allowErrors(/Failed to load resource/);
  await page.getByTestId('new-name').waitFor();
  await page.getByTestId('new-spec-file').setInputFiles(specFile);
  await page.getByTestId('new-name').fill(name);
  await page.getByTestId('new-start-now').check();
  await page.getByTestId('new-permission').check();
  await page.getByTestId('new-submit').click();
  await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor();
  await page.getByTestId('view-prescan').first().click();
  await page.getByTestId('prescan-base-url').waitFor();
  return page;
}

async function runPrescan(page, baseUrl, { unsafe = false, headers } = {}) {
  await page.getByTestId('prescan-base-url').fill(baseUrl);
  if (headers !== undefined) await page.getByTestId('prescan-headers').fill(headers);
  if (unsafe) await page.getByTestId('prescan-allow-unsafe').check();
  else await page.getByTestId('prescan-allow-unsafe').uncheck();
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
      inError: await row.getAttribute('data-in-error'),
      className: await row.getAttribute('class'),
    });
  }
  return out;
}

const n = async (page, id) => Number(await text(page, id));

const dir = await tempDir();

describe('Prescan Details against Prism', () => {
  describe('the Petstore', () => {
    let prism;
    before(async () => { prism = await startPrism(SAMPLE); });
    after(async () => { await prism?.stop(); });

    it('sends the GET endpoints, all answered; unsafe methods are skipped; downloads', async () => {
      const page = await createWith(SAMPLE, 'Petstore prescan');
      assert.equal(await text(page, 'prescan-status'), 'Not run yet');
      assert.equal(await page.getByTestId('prescan-allow-unsafe').isChecked(), false);
      const status = await runPrescan(page, prism.url);
      assert.equal(status, 'Prescan Succeeded');
      assert.match(await text(page, 'prescan-progress'), /2 of 2 requests done/);
      const r = await rows(page);
      assert.equal(r.length, 5, JSON.stringify(r));
      const sent = r.filter((x) => !x.response.startsWith('Skipped'));
      assert.equal(sent.length, 2);
      for (const x of sent) {
        assert.match(x.response, /^200/);
        assert.equal(x.inError, 'false');
      }
      const skipped = r.filter((x) => x.response.startsWith('Skipped'));
      assert.deepEqual(skipped.map((x) => x.text.match(/(POST|PUT|DELETE)/)[1]).sort(), ['DELETE', 'POST', 'PUT']);
      assert.equal(await n(page, 'connection-requests'), 2);
      assert.equal(await n(page, 'connection-responses'), 2);
      assert.equal(await n(page, 'connection-network-errors'), 0);
      assert.equal(await n(page, 'connection-auth-failures'), 0);
      assert.equal(await n(page, 'connection-skipped'), 3);
      await page.getByTestId('prescan-notes').waitFor();

      // A row opens to the request and the response.
      const first = page.getByTestId('prescan-row').first();
      await first.getByText('Request and response').click();
      assert.match(await first.getByTestId('prescan-exchange').textContent(), /Response: 200/);
      await screenshot(page, 'prescan-petstore');

      // The Scan configuration tab and its downloads.
      await page.getByTestId('tab-configuration').click();
      assert.equal(await page.getByTestId('tab-configuration').getAttribute('aria-selected'), 'true');
      assert.equal(await page.getByTestId('prescan-table').isVisible(), false);
      const original = await download(page, 'download-original');
      assert.equal(original.name, 'petstore.yaml');
      const har = await download(page, 'download-har');
      assert.equal(har.name, 'petstore.har');
      assertHar(JSON.parse(har.bytes.toString('utf8')), 5);
      const prescanHar = await download(page, 'download-prescan-har');
      assert.equal(prescanHar.name, 'petstore-prescan.har');
      const ph = JSON.parse(prescanHar.bytes.toString('utf8'));
      assert.equal(ph.log.version, '1.2');
      const statuses = ph.log.entries.map((e) => e.response.status);
      assert.ok(statuses.filter((s) => s === 200).length === 2, JSON.stringify(statuses));
      await screenshot(page, 'prescan-configuration');
      const prescanUrl = page.url();

      // Recorded in the activity log, and notified.
      await page.getByTestId('notification').first().waitFor().catch(() => {});
      assert.match(await page.locator('body').textContent(), /The prescan of a Dynamic Analysis succeeded\./);
      await page.getByText(/^Back to /).click();
      await page.getByTestId('activity-row').first().waitFor();
      const log = (await page.getByTestId('activity-row').allTextContents()).join('\n');
      assert.match(log, /Prescan succeeded\. 2 requests, 2 responses/);

      // Kept: opened again after a reload, the page shows the last prescan.
      await page.goto(prescanUrl);
      await page.reload();
      await page.getByTestId('prescan-status').filter({ hasText: 'Prescan Succeeded' })
        .waitFor({ timeout: TIMEOUT });
      assert.match(await text(page, 'prescan-last-run'), /^Last prescan: \S/);
      const again = await rows(page);
      assert.equal(again.length, 5, JSON.stringify(again));
      assert.deepEqual(again.map((x) => x.response), r.map((x) => x.response));
      assert.equal(again.filter((x) => /^200/.test(x.response)).length, 2);
      assert.equal(await n(page, 'connection-requests'), 2);
      assert.equal(await n(page, 'connection-responses'), 2);
      await page.getByTestId('prescan-notes').waitFor();
      assert.equal(await page.getByTestId('prescan-run').isEnabled(), true);
      await page.getByTestId('tab-configuration').click();
      const kept = await download(page, 'download-prescan-har');
      assert.equal(kept.name, 'petstore-prescan.har');
      const keptStatuses = JSON.parse(kept.bytes.toString('utf8')).log.entries.map((e) => e.response.status);
      assert.deepEqual(keptStatuses, statuses);
    });

    it('sends unsafe methods once allowed, with the API key as a custom header', async () => {
      const page = await createWith(SAMPLE, 'Petstore unsafe prescan');
      const status = await runPrescan(page, prism.url, { unsafe: true, headers: 'X-API-Key: secret' });
      const r = await rows(page);
      assert.equal(r.length, 5);
      assert.equal(r.filter((x) => x.response.startsWith('Skipped')).length, 0, JSON.stringify(r));
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const row = r.find((x) => x.text.includes(method));
        assert.ok(row, method);
        assert.match(row.response, /^2\d\d/, `${method}: ${row.response}`);
      }
      assert.equal(status, 'Prescan Succeeded');
      assert.equal(await n(page, 'connection-skipped'), 0);
      assert.equal(await n(page, 'connection-requests'), 5);
    });

    it('shows Prescanning with progress while it runs, and Cancel stops it', async () => {
      const page = await createWith(SAMPLE, 'Petstore cancelled prescan');
      await page.getByTestId('prescan-base-url').fill(prism.url);
      await page.getByTestId('prescan-rate').fill('0.2');
      await page.getByTestId('prescan-run').click();
      await page.getByTestId('prescan-status').filter({ hasText: /^Prescanning$/ }).waitFor();
      await page.getByTestId('prescan-progress').filter({ hasText: /1 of 2 requests done/ }).waitFor();
      await page.getByTestId('prescan-cancel').click();
      await page.getByTestId('prescan-status').filter({ hasText: 'Prescan Failed' }).waitFor();
      const r = await rows(page);
      assert.ok(r.some((x) => x.response === 'Cancelled'), JSON.stringify(r));
      assert.equal(await page.getByTestId('prescan-cancel').count(), 0);
      assert.match(await text(page, 'prescan-notes'), /cancel/i);
    });

    it('a base URL path the mock does not know: 404 rows in red', async () => {
      const page = await createWith(SAMPLE, 'Petstore wrong path');
      const status = await runPrescan(page, `${prism.url}/nope`);
      // 404s are flagged: the connection itself is verified, but the
      // status never reads as a plain success (issue 15).
      assert.equal(status, 'Prescan Succeeded, with errors: 2 of 2 requests answered 4xx or 5xx');
      const sent = (await rows(page)).filter((x) => !x.response.startsWith('Skipped'));
      assert.equal(sent.length, 2);
      for (const x of sent) {
        assert.match(x.response, /^404/);
        assert.equal(x.inError, 'true');
        assert.match(x.className, /prescan-row--error/);
      }
    });
  });

  describe('a secured endpoint', () => {
    let prism;
    before(async () => { prism = await startPrism(await writeTemp(dir, 'secured-server.yaml', SECURED_SERVER)); });
    after(async () => { await prism?.stop(); });

    it('401 without credentials (an authentication problem), 2xx once configured', async () => {
      const client = await writeTemp(dir, 'secured.yaml', SECURED_CLIENT);
      const page = await createWith(client, 'Secured prescan');
      assert.equal(await runPrescan(page, prism.url), 'Prescan Failed: 1 of 1 request failed');
      let [row] = await rows(page);
      assert.match(row.response, /^401/);
      // Explained once above the table, not on the row.
      assert.match(await text(page, 'prescan-explanations'), /1 request answered 401 or 403\. The server did not accept the credentials/);
      assert.equal(row.inError, 'true');
      assert.equal(await n(page, 'connection-auth-failures'), 1);
      await screenshot(page, 'prescan-401');

      assert.equal(await runPrescan(page, prism.url, { headers: 'X-API-Key: secret' }), 'Prescan Succeeded');
      [row] = await rows(page);
      assert.match(row.response, /^200/);
      assert.equal(row.inError, 'false');
      assert.equal(await n(page, 'connection-auth-failures'), 0);
    });
  });

  describe('server errors', () => {
    let prism;
    let spec;
    before(async () => {
      spec = await writeTemp(dir, 'errors.yaml', ERRORS);
      prism = await startPrism(spec);
    });
    after(async () => { await prism?.stop(); });

    it('an operation that only answers 500: its row in red with the code', async () => {
      const page = await createWith(spec, 'Errors prescan');
      await runPrescan(page, prism.url);
      const r = await rows(page);
      const ok = r.find((x) => x.text.includes('/ok'));
      const broken = r.find((x) => x.text.includes('/broken'));
      assert.match(ok.response, /^200/);
      assert.equal(ok.inError, 'false');
      assert.match(broken.response, /^500/);
      assert.equal(broken.inError, 'true');
      assert.match(broken.className, /prescan-row--error/);
    });
  });

  it('an unreachable server: No response from server, with what to do', async () => {
    const page = await createWith(SAMPLE, 'Unreachable prescan');
    const port = await freePort();
    assert.equal(await runPrescan(page, `http://127.0.0.1:${port}`), 'Prescan Failed: 2 of 2 requests failed');
    const sent = (await rows(page)).filter((x) => !x.response.startsWith('Skipped'));
    assert.equal(sent.length, 2);
    for (const x of sent) {
      assert.match(x.response, /^No response from server/);
      assert.equal(x.inError, 'true');
    }
    assert.equal(await n(page, 'connection-network-errors'), 2);
    // One explanation, naming this page's origin for the server to allow.
    assert.match(await text(page, 'prescan-explanations'), /2 requests got no response from http:\/\/127\.0\.0\.1:\d+\./);
    assert.ok((await text(page, 'prescan-explanations')).includes(`Access-Control-Allow-Origin: ${new URL(app.server.url).origin}`));
    assert.match(await page.locator('body').textContent(), /The prescan of a Dynamic Analysis failed\./);
    await screenshot(page, 'prescan-unreachable');
  });

  it('the base URL is required and fully-qualified', async () => {
    const page = await createWith(SAMPLE, 'Validation prescan');
    await page.getByTestId('prescan-base-url').fill('/v1');
    await page.getByTestId('prescan-run').click();
    assert.match(await text(page, 'prescan-form-errors'), /not a fully-qualified URL/);
    assert.equal(await text(page, 'prescan-status'), 'Not run yet');
  });
});
