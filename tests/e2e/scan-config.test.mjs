// The scan configuration (server, server variables, base URL, credentials,
// custom headers and cookies, HAR style) and specifications split over files,
// as a person uses them: fill the form, apply, read the HAR on screen and in
// the download.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  useApp, loadSample, specShown, uploadFile, uploadBuffer, text, screenshot,
  tempDir, writeTemp, richSpec, download, assertHar, repoRoot, waitUntilSaved, TIMEOUT,
} from './helpers.mjs';

const app = useApp();
const dir = await tempDir();

/** Opens the configuration panel (it stays open across conversions). */
async function openConfig(page) {
  const open = await page.getByTestId('config-panel').evaluate((details) => details.open);
  if (!open) await page.getByTestId('config-toggle').click();
  await page.getByTestId('scan-config').waitFor();
}

async function apply(page) {
  // Watch the status line: the conversion shows "Reading and converting…"
  // (the worker answers in a later task, so the observer sees it), then
  // "Loaded …". Comparing texts is not enough: two conversions of the same
  // size in the same number of milliseconds leave the same text.
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid=status]');
    window.__sawConversion = false;
    window.__statusObserver?.disconnect();
    window.__statusObserver = new MutationObserver(() => {
      if (el.textContent.includes('Reading and converting')) window.__sawConversion = true;
    });
    window.__statusObserver.observe(el, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('config-apply').click();
  await page.waitForFunction(() => window.__sawConversion
    && !document.querySelector('[data-testid=cancel-load]')
    && document.querySelector('[data-testid=status]')?.textContent.trim().startsWith('Loaded'));
  await specShown(page);
}

async function harOf(page) {
  const { bytes } = await download(page, 'download-har');
  const har = JSON.parse(bytes.toString('utf8'));
  assertHar(har);
  return har;
}

const header = (entry, name) =>
  entry.request.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** Two servers, one with variables (an enum and a free one), one secured operation. */
function serversSpec() {
  return {
    openapi: '3.0.3',
    info: { title: 'Regional API', version: '1.0.0' },
    servers: [
      {
        url: 'https://{region}.example.com/{version}',
        description: 'Production',
        variables: {
          region: { default: 'eu', enum: ['eu', 'us'] },
          version: { default: 'v1' },
        },
      },
      { url: 'https://sandbox.example.com', description: 'Sandbox' },
    ],
    components: {
      securitySchemes: { token: { type: 'http', scheme: 'bearer' } },
    },
    paths: {
      '/accounts/{accountId}': {
        get: {
          operationId: 'getAccount',
          security: [{ token: [] }],
          parameters: [{ name: 'accountId', in: 'path', required: true, schema: { type: 'string', example: 'acc-9' } }],
          responses: { 200: { description: 'OK' } },
        },
      },
    },
  };
}

describe('scan configuration', () => {
  it('a base URL replaces the servers, in the HAR on screen and downloaded', async () => {
    const page = await app.open();
    await loadSample(page);
    await openConfig(page);
    await page.getByTestId('config-base-url').fill('https://staging.example.com/v2');
    await apply(page);
    const urls = await page.getByTestId('har-entry').allTextContents();
    assert.ok(urls.length > 0);
    for (const url of urls) assert.match(url, /https:\/\/staging\.example\.com\/v2\/pets/);
    assert.match(await text(page, 'config-summary'), /base URL https:\/\/staging\.example\.com\/v2/);
    for (const entry of (await harOf(page)).log.entries) {
      assert.match(entry.request.url, /^https:\/\/staging\.example\.com\/v2\//);
    }
  });

  it('the specification and its configuration are still there after a visit to another page', async () => {
    const page = await app.open();
    await loadSample(page);
    await openConfig(page);
    await page.getByTestId('config-base-url').fill('https://kept.example.com/v3');
    await page.getByTestId('config-bearer').fill('kept-token');
    await apply(page);
    const title = await text(page, 'spec-title');

    await page.getByTestId('nav-analyses').click();
    await page.getByRole('heading', { level: 1, name: 'Dynamic Analyses' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Specification preview' }).click();

    await specShown(page);
    assert.equal(await text(page, 'spec-title'), title, 'the specification is still shown');
    assert.match(await text(page, 'status'), /^Loaded petstore\.yaml/);
    assert.match(await text(page, 'config-summary'), /base URL https:\/\/kept\.example\.com\/v3/);
    await openConfig(page);
    assert.equal(await page.getByTestId('config-base-url').inputValue(), 'https://kept.example.com/v3');
    assert.equal(await page.getByTestId('config-bearer').inputValue(), 'kept-token');
    for (const entry of (await harOf(page)).log.entries) {
      assert.match(entry.request.url, /^https:\/\/kept\.example\.com\/v3\//);
    }
  });

  it('Use in a new analysis carries the base URL and the credentials to the new scan and its Prescan page', async () => {
    const page = await app.open();
    await loadSample(page);
    await openConfig(page);
    await page.getByTestId('config-base-url').fill('http://127.0.0.1:4010/v9');
    await page.getByTestId('config-bearer').fill('carried-token');
    await apply(page);
    await page.getByTestId('use-in-analysis').click();
    await page.getByTestId('new-name').waitFor({ timeout: TIMEOUT });
    const handoff = await text(page, 'new-handoff');
    assert.match(handoff, /petstore\.yaml uses the preview's configuration: http:\/\/127\.0\.0\.1:4010\/v9, and the credentials you entered there/);
    assert.doesNotMatch(handoff, /carried-token/);
    await screenshot(page, 'analysis-new-handoff');
    await page.getByTestId('new-name').fill('Carried configuration');
    await page.getByTestId('new-start-now').check();
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: 'Carried configuration' }).waitFor();
    // What the browser saved has the analysis, not the token (credentials stay in memory).
    const saved = await waitUntilSaved(page, (v) => typeof v === 'string' && v.includes('Carried configuration'));
    assert.match(saved, /Carried configuration/);
    assert.match(saved, /127\.0\.0\.1:4010\/v9/, 'the server chosen is part of the scan');
    assert.doesNotMatch(saved, /carried-token/, 'the token is not stored');
    await page.getByTestId('view-prescan').first().click();
    await page.getByTestId('prescan-base-url').waitFor();
    assert.equal(await page.getByTestId('prescan-base-url').inputValue(), 'http://127.0.0.1:4010/v9');
    assert.equal(await page.getByTestId('prescan-bearer').inputValue(), 'carried-token');
  });

  it('refuses a base URL that is not fully qualified, and says why', async () => {
    const page = await app.open();
    await loadSample(page);
    await openConfig(page);
    await page.getByTestId('config-base-url').fill('/v2');
    const error = page.getByTestId('config-field-error').filter({ hasText: 'fully-qualified' });
    await error.waitFor();
    assert.equal(await page.getByTestId('config-base-url').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.getByTestId('config-apply').isDisabled(), 'Apply is disabled while the URL is wrong');
    await page.getByTestId('config-base-url').fill('https://ok.example.com');
    await error.waitFor({ state: 'hidden' });
    assert.ok(await page.getByTestId('config-apply').isEnabled());
  });

  it('refuses a header name Veracode reserves; sends custom headers and cookies with every request', async () => {
    const page = await app.open();
    await loadSample(page);
    await openConfig(page);
    await page.getByTestId('config-add-header').click();
    const row = page.getByTestId('config-header').first();
    await row.getByLabel('header name').fill('Host');
    await page.getByTestId('config-field-error').filter({ hasText: 'Host' }).waitFor();
    assert.ok(await page.getByTestId('config-apply').isDisabled());
    await row.getByLabel('header name').fill('X-Scan-Run');
    await row.getByLabel('header value').fill('run-77');
    await page.getByTestId('config-add-cookie').click();
    const cookie = page.getByTestId('config-cookie').first();
    await cookie.getByLabel('cookie name').fill('session');
    await cookie.getByLabel('cookie value').fill('s3cr3t');
    await screenshot(page, 'scan-configuration');
    await apply(page);
    const har = await harOf(page);
    for (const entry of har.log.entries) {
      assert.equal(header(entry, 'X-Scan-Run'), 'run-77', `${entry.request.url} has the custom header`);
      assert.ok(entry.request.cookies.some((c) => c.name === 'session' && c.value === 's3cr3t'), 'and the cookie');
    }
    // Nothing of it is kept outside the tab.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
    assert.ok(!stored.includes('s3cr3t') && !stored.includes('run-77'), 'credentials are not stored or put in the URL');
  });

  it('chooses a server and its variables; a bearer token replaces the placeholder', async () => {
    const file = await writeTemp(dir, 'regional.json', JSON.stringify(serversSpec()));
    const page = await app.open();
    await uploadFile(page, file);
    await specShown(page);
    let har = await harOf(page);
    assert.equal(har.log.entries[0].request.url, 'https://eu.example.com/v1/accounts/acc-9', 'defaults first');
    assert.match(header(har.log.entries[0], 'Authorization'), /^Bearer /);

    await openConfig(page);
    await page.getByLabel('Server variable region').selectOption('us');
    await page.getByLabel('Server variable version').fill('v3');
    await page.getByTestId('config-bearer').fill('tok-123');
    await apply(page);
    har = await harOf(page);
    assert.equal(har.log.entries[0].request.url, 'https://us.example.com/v3/accounts/acc-9');
    assert.equal(header(har.log.entries[0], 'Authorization'), 'Bearer tok-123');

    await openConfig(page);
    await page.getByTestId('config-server').selectOption({ label: 'https://sandbox.example.com — Sandbox' });
    await apply(page);
    har = await harOf(page);
    assert.equal(har.log.entries[0].request.url, 'https://sandbox.example.com/accounts/acc-9');
    assert.equal(header(har.log.entries[0], 'Authorization'), 'Bearer tok-123', 'the token is kept');
  });

  it('Veracode style keeps path templates and puts the values in the comment', async () => {
    const file = await writeTemp(dir, 'rich.json', JSON.stringify(richSpec()));
    const page = await app.open();
    await uploadFile(page, file);
    await specShown(page);
    await openConfig(page);
    await page.getByTestId('config-style-veracode').check();
    await apply(page);
    const har = await harOf(page);
    const post = har.log.entries.find((e) => e.request.method === 'POST');
    assert.equal(post.request.url, 'https://rich.example.com/api/orders/{orderId}?dryRun=true');
    assert.match(post.comment, /orderId=A-17/);
  });

  it('what was entered is kept for the next specification', async () => {
    const page = await app.open();
    await loadSample(page);
    await openConfig(page);
    await page.getByTestId('config-base-url').fill('https://kept.example.com');
    await apply(page);
    await uploadBuffer(page, 'rich.json', JSON.stringify(richSpec()), 'application/json');
    await page.getByTestId('spec-title').filter({ hasText: 'Rich API' }).waitFor({ timeout: TIMEOUT });
    const har = await harOf(page);
    for (const entry of har.log.entries) assert.match(entry.request.url, /^https:\/\/kept\.example\.com\//);
  });
});

describe('a specification split over files', () => {
  async function writeSplitSpec() {
    const root = path.join(dir, 'split-api');
    await mkdir(path.join(root, 'schemas'), { recursive: true });
    await writeFile(path.join(root, 'openapi.yaml'), [
      'openapi: 3.0.3',
      'info: { title: Split API, version: "1.0" }',
      'servers: [{ url: "https://split.example.com" }]',
      'paths:',
      '  /pets:',
      '    post:',
      '      requestBody:',
      '        content:',
      '          application/json:',
      '            schema: { $ref: "./schemas/pet.yaml#/Pet" }',
      '      responses: { "201": { description: Created } }',
      '  /owners:',
      '    get:',
      '      parameters: [{ $ref: "./missing.yaml#/Limit" }]',
      '      responses: { "200": { description: OK } }',
      '',
    ].join('\n'));
    await writeFile(path.join(root, 'schemas', 'pet.yaml'), [
      'Pet:',
      '  type: object',
      '  required: [name]',
      '  properties:',
      '    name: { type: string, example: Rex }',
      '',
    ].join('\n'));
    await writeFile(path.join(root, 'README.md'), 'not a specification\n');
    return root;
  }

  it('choosing its folder resolves references between the files, and names a missing one', async () => {
    const root = await writeSplitSpec();
    const page = await app.open();
    await page.getByTestId('folder-input').setInputFiles(root);
    await page.getByTestId('spec-title').filter({ hasText: 'Split API' }).waitFor({ timeout: TIMEOUT });
    await specShown(page);
    const har = await harOf(page);
    const post = har.log.entries.find((e) => e.request.method === 'POST');
    assert.deepEqual(JSON.parse(post.request.postData.text), { name: 'Rex' });
    const notes = await page.getByTestId('diagnostics').textContent();
    assert.match(notes, /missing\.yaml/, 'the file not given is named');
    assert.equal(await page.getByTestId('download-source').count(), 1, 'the other file can be downloaded too');
  });
});

describe('credentials by security scheme', () => {
  it('lists the schemes, and an API key entered replaces the placeholder where the scheme says', async () => {
    const page = await app.open();
    await loadSample(page);
    assert.match(await text(page, 'spec-auth'), /api_key: API key in header X-API-Key/);
    let put = (await harOf(page)).log.entries.find((e) => e.request.method === 'PUT');
    assert.match(header(put, 'X-API-Key'), /^<API key/, 'a marked placeholder until a key is given');
    await openConfig(page);
    await page.getByLabel('API key for api_key').fill('key-abc');
    await apply(page);
    put = (await harOf(page)).log.entries.find((e) => e.request.method === 'PUT');
    assert.equal(header(put, 'X-API-Key'), 'key-abc');
  });
});

describe('a Postman collection', () => {
  it('asks for a base URL at once, then scans only requests to it', async () => {
    const page = await app.open();
    await uploadFile(page, path.join(repoRoot, 'crates', 'core', 'tests', 'fixtures', 'postman.json'));
    await specShown(page);
    assert.match(await text(page, 'spec-format'), /Postman Collection 2\.1/);
    assert.ok(await page.getByTestId('config-panel').evaluate((d) => d.open), 'the configuration opens by itself');
    assert.match(await page.getByTestId('diagnostics').textContent(), /needs a base URL/);
    await page.getByTestId('config-base-url').fill('https://staging.shop.example/v1');
    await apply(page);
    const har = await harOf(page);
    assert.ok(har.log.entries.length > 0);
    for (const entry of har.log.entries) assert.match(entry.request.url, /^https:\/\/staging\.shop\.example\/v1\//);
  });
});
