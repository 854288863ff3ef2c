// Endpoint scope and the user's values (issue 18), in the real browser: a
// rule by tag excludes endpoints (the coverage line and the rows' marks
// change), a row's own control sets one endpoint, a value is given for a
// path parameter, and the prescan against a small Node server (which knows
// pet 42 only) finds it: /pets/42 answered 200 where the generated value
// gets a 404.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import {
  useApp, text, download, specShown, screenshot, tempDir, writeTemp, waitUntilSaved, createAnalysis, TIMEOUT,
} from './helpers.mjs';

const app = useApp();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The serious and critical violations axe finds on the page. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
const dir = await tempDir();

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Scoped pets', version: '1.0.0' },
  servers: [{ url: 'https://api.example.com' }],
  paths: {
    '/pets': {
      get: { tags: ['pets'], operationId: 'listPets', responses: { 200: { description: 'Pets' } } },
    },
    '/pets/{petId}': {
      get: {
        tags: ['pets'],
        operationId: 'showPet',
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
        responses: { 200: { description: 'A pet' }, 404: { description: 'No such pet' } },
      },
    },
    '/store/inventory': {
      get: { tags: ['store'], operationId: 'inventory', responses: { 200: { description: 'Counts' } } },
    },
    '/store/orders/{orderId}': {
      get: {
        tags: ['store'],
        operationId: 'showOrder',
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { 200: { description: 'An order' } },
      },
    },
  },
};

/** A server that knows pet 42 only (CORS open); records every request. */
function startPetServer() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, PATCH, OPTIONS',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    requests.push(`${req.method} ${req.url}`);
    const json = (status, body) => {
      res.writeHead(status, { ...cors, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/pets') return json(200, [{ id: 42, name: 'Rex' }]);
    if (req.url === '/pets/42') return json(200, { id: 42, name: 'Rex' });
    if (req.url.startsWith('/store/')) return json(200, {});
    return json(404, { error: 'No such pet' });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

/** The scope each row says it has, by path: { '/pets': 'Include', ... }. */
async function marks(page) {
  const rows = page.getByTestId('endpoint-row');
  const out = {};
  for (let i = 0; i < await rows.count(); i++) {
    const row = rows.nth(i);
    const path = (await row.locator('td.path code').textContent()).trim();
    out[path] = await row.getAttribute('data-scope');
  }
  return out;
}

async function coverage(page) {
  return (await text(page, 'coverage-line')).replace(/\s+/g, ' ');
}

describe('endpoint scope and values in the specification preview', () => {
  it('excludes by tag and by row, gives a value, and downloads the HAR in scope', async () => {
    const file = await writeTemp(dir, 'scoped-pets.json', JSON.stringify(SPEC));
    const page = await app.open();
    await page.getByTestId('file-input').setInputFiles(file);
    await specShown(page);
    assert.deepEqual(await marks(page), {
      '/pets': 'Include', '/pets/{petId}': 'Include', '/store/inventory': 'Include', '/store/orders/{orderId}': 'Include',
    });
    assert.equal(await page.getByTestId('prescan-notice').count(), 0, 'no scope, few endpoints: no notice');

    // Exclude by tag.
    await page.getByTestId('scope-toggle').click();
    await page.getByTestId('scope-text').fill('store');
    assert.match(await text(page, 'scope-pending'), /not added yet/);
    await page.getByTestId('scope-add').click();
    await page.getByTestId('coverage-line').waitFor({ timeout: TIMEOUT });
    assert.equal(await coverage(page), 'The prescan covers all 2 included endpoints; the 2 excluded do not count.');
    assert.match(await text(page, 'coverage-rule'), /Excluded endpoints do not count toward the 100/);
    assert.deepEqual(await marks(page), {
      '/pets': 'Include', '/pets/{petId}': 'Include', '/store/inventory': 'Exclude', '/store/orders/{orderId}': 'Exclude',
    });
    assert.deepEqual(await page.getByTestId('scope-rule-text').allTextContents(), ['Exclude tag store']);
    assert.match(await text(page, 'endpoints-table'), /2 in scope, 2 excluded \(not sent\)/);

    // A pattern that cannot be used says why and is not added.
    await page.getByTestId('scope-by').selectOption('path');
    await page.getByTestId('scope-text').fill('pets/*');
    assert.match(await text(page, 'scope-rule-error'), /does not start with \/.*Not added until it is fixed/);
    await page.getByTestId('scope-add').click();
    assert.equal(await page.getByTestId('scope-rule').count(), 1);
    await page.getByTestId('scope-text').fill('');

    // One endpoint, in its row: it wins over the rule by tag.
    const inventory = page.getByTestId('endpoint-row').filter({ hasText: '/store/inventory' });
    await inventory.getByTestId('endpoint-scope-select').selectOption('Include');
    await page.getByTestId('coverage-line').filter({ hasText: 'all 3 included endpoints' }).waitFor();
    assert.equal(await coverage(page), 'The prescan covers all 3 included endpoints; the 1 excluded endpoint does not count.');
    // Focus stays on the control that was used.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'endpoint-scope-select');
    assert.deepEqual(await page.getByTestId('scope-rule-text').allTextContents(),
      ['Exclude tag store', 'Include endpoint GET /store/inventory']);

    // A value for the path parameter; a line that cannot be read says which.
    await page.getByTestId('values-toggle').click();
    await page.getByTestId('values-text').fill('petId=42\nnot a value');
    assert.match(await text(page, 'values-error'), /^Line 2: .*Not applied until it is fixed\./);
    assert.equal(await page.getByTestId('values-apply').isDisabled(), true);
    await page.getByTestId('values-text').fill('petId=42');
    await page.getByTestId('values-apply').click();
    const pet = page.getByTestId('endpoint-row').filter({ hasText: '/pets/{petId}' });
    await pet.getByTestId('endpoint-user-values').waitFor({ timeout: TIMEOUT });
    assert.match(await pet.getByTestId('endpoint-user-values').textContent(), /path:petId/);
    assert.match(await text(page, 'values-state'), /1 value, applied/);
    await screenshot(page, 'scope-values-preview');
    assert.deepEqual(await violations(page), []);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: 390, height: 844 });
      assert.deepEqual(await violations(page), [], `phone, ${scheme}`);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no wider than the phone');
      await screenshot(page, `scope-values-preview-phone-${scheme}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });

    // The two HARs: in scope (3 entries, pet 42) and all (4).
    const inScope = await download(page, 'download-har-in-scope');
    assert.equal(inScope.name, 'scoped-pets-in-scope.har');
    const scoped = JSON.parse(inScope.bytes.toString('utf8'));
    assert.equal(scoped.log.version, '1.2');
    assert.deepEqual(scoped.log.entries.map((e) => new URL(e.request.url).pathname),
      ['/pets', '/pets/42', '/store/inventory']);
    const all = await download(page, 'download-har');
    assert.equal(all.name, 'scoped-pets.har');
    assert.equal(JSON.parse(all.bytes.toString('utf8')).log.entries.length, 4);

    // Exported, then imported again after a reset.
    const exported = await download(page, 'values-export');
    assert.equal(exported.name, 'prescan-values.json');
    assert.deepEqual(JSON.parse(exported.bytes.toString('utf8')), { version: 1, values: [{ name: 'petId', value: '42' }] });

    // Kept after another page and back.
    await page.getByTestId('scope-text').fill('/admin/**');
    await page.evaluate(() => { location.hash = '#/analyses'; });
    await page.waitForFunction(() => location.hash.startsWith('#/analyses'));
    await page.evaluate(() => { location.hash = '#/'; });
    await specShown(page);
    assert.equal(await page.getByTestId('scope-text').inputValue(), '/admin/**');
    assert.equal(await page.getByTestId('values-text').inputValue(), 'petId=42');
    assert.equal(await page.getByTestId('scope-rule').count(), 2);

    // Include all again.
    await page.getByTestId('scope-reset').click();
    await page.getByTestId('scope-no-rules').waitFor();
    assert.equal(await page.getByTestId('prescan-notice').count(), 0);
    assert.ok(Object.values(await marks(page)).every((m) => m === 'Include'));
  });
});

/** Runs the prescan of the page's scan against `target`; the rows' path and response. */
async function runPrescan(page, target) {
  await page.getByTestId('prescan-base-url').fill(target);
  await page.getByTestId('prescan-run').click();
  await page.getByTestId('prescan-status').filter({ hasText: /Prescan (Succeeded|Failed)/ })
    .waitFor({ timeout: TIMEOUT });
  const rows = page.getByTestId('prescan-row');
  const out = [];
  for (let i = 0; i < await rows.count(); i++) {
    const row = rows.nth(i);
    out.push({
      text: (await row.textContent()).replace(/\s+/g, ' ').trim(),
      response: (await row.getByTestId('prescan-row-response').textContent()).trim(),
    });
  }
  return out;
}

describe('a scan keeps the scope and values of the preview, and its prescan uses them', () => {
  let target;
  before(async () => { target = await startPetServer(); });
  after(async () => { await target?.close(); });

  it('the given petId reaches pet 42 (200) where the generated one gets a 404; excluded endpoints get no request', async () => {
    const file = await writeTemp(dir, 'scoped-pets.json', JSON.stringify(SPEC));

    // Without values or scope: the generated petId is not 42.
    const plain = await app.open();
    plain.allowErrors(/Failed to load resource/);
    await createAnalysis(plain, app.server.url, { name: 'Pets without values', file });
    await plain.getByTestId('view-prescan').first().click();
    await plain.getByTestId('prescan-base-url').waitFor();
    const before = await runPrescan(plain, target.url);
    const generated = before.find((r) => /\/pets\/(?!42\b)\w+/.test(r.text));
    assert.ok(generated, JSON.stringify(before));
    assert.match(generated.response, /^404/);
    assert.equal(before.length, 4, 'every endpoint is sent without a scope');

    // The preview: exclude the store, give petId=42, use it in a new analysis.
    const page = await app.open();
    page.allowErrors(/Failed to load resource/);
    await page.getByTestId('file-input').setInputFiles(file);
    await specShown(page);
    await page.getByTestId('scope-toggle').click();
    await page.getByTestId('scope-text').fill('store');
    await page.getByTestId('scope-add').click();
    await page.getByTestId('coverage-line').waitFor();
    await page.getByTestId('values-toggle').click();
    await page.getByTestId('values-text').fill('petId=42');
    await page.getByTestId('values-apply').click();
    await page.getByTestId('endpoint-user-values').waitFor();
    // Values typed and not applied are not silently left behind.
    await page.getByTestId('values-text').fill('petId=43');
    await page.getByTestId('use-in-analysis').click();
    assert.match(await text(page, 'use-in-analysis-unapplied'), /your values are changed but not applied/);
    await page.getByTestId('values-text').fill('petId=42');
    await page.getByTestId('use-in-analysis').click();
    await page.getByTestId('new-name').waitFor({ timeout: TIMEOUT });
    assert.match(await text(page, 'new-handoff-scope'), /1 rule: Exclude tag store.*1 value: petId=42/);
    await page.getByTestId('new-name').fill('Pets with values');
    // Scheduled (not running): it can be configured afterwards.
    const later = await page.evaluate(() => {
      const d = new Date(Date.now() + 3 * 24 * 3600 * 1000);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    await page.getByTestId('new-start-at').check();
    await page.getByTestId('new-start-time').fill(later);
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: 'Pets with values' }).waitFor();
    assert.equal(await text(page, 'scan-scoping'), '1 scope rule, 1 value of yours');
    // Kept with the scan in the browser's store.
    const saved = await waitUntilSaved(page, (v) => typeof v === 'string' && v.includes('Pets with values') && v.includes('petId'));
    assert.match(saved, /"Tag":"store"/);
    assert.match(saved, /"name":"petId","value":"42"/);

    await page.getByTestId('view-prescan').first().click();
    await page.getByTestId('prescan-base-url').waitFor();
    const sentBefore = target.requests.length;
    const after = await runPrescan(page, target.url);
    assert.equal(after.length, 2, `the excluded endpoints are not planned: ${JSON.stringify(after)}`);
    const pet = after.find((r) => r.text.includes('/pets/42'));
    assert.ok(pet, JSON.stringify(after));
    assert.match(pet.response, /^200/);
    const sent = target.requests.slice(sentBefore);
    assert.ok(sent.includes('GET /pets/42'), JSON.stringify(sent));
    assert.ok(!sent.some((r) => r.includes('/store/')), `no request to an excluded endpoint: ${JSON.stringify(sent)}`);
    assert.equal(await text(page, 'prescan-coverage'), 'The prescan covers all 2 included endpoints; the 2 excluded do not count.');
    await screenshot(page, 'scope-values-prescan');
    await page.getByTestId('tab-configuration').click();
    assert.match(await text(page, 'configuration-scope'), /Exclude tag store/);
    assert.equal(await text(page, 'configuration-values'), 'petId=42');
    await screenshot(page, 'scope-values-prescan-configuration');

    // Configure: the scope and values are there, editable, saved and logged.
    await page.getByText(/^Back to /).click();
    await page.getByTestId('action-configure').click();
    const scoping = page.getByTestId('configure-scoping');
    await scoping.waitFor();
    assert.deepEqual(await scoping.getByTestId('scope-rule-text').allTextContents(), ['Exclude tag store']);
    assert.equal(await scoping.getByTestId('values-text').inputValue(), 'petId=42');
    await scoping.getByTestId('values-text').fill('petId=42\norderId 7');
    await page.getByTestId('configure-save').click();
    assert.match(await text(page, 'error-summary'), /The values for scoped-pets\.json: Line 2: .*Fix them first/);
    await scoping.getByTestId('values-text').fill('petId=42\norderId=7');
    // The specification's tags are suggested (converted from the stored file).
    await page.waitForFunction(() => document.querySelectorAll('#cfg0-scope-tags option').length === 2);
    assert.deepEqual(await page.locator('#cfg0-scope-tags option').evaluateAll((os) => os.map((o) => o.value)), ['pets', 'store']);
    await scoping.getByTestId('scope-by').selectOption('path');
    await scoping.getByTestId('scope-text').fill('/pets/**');
    await scoping.getByTestId('scope-decision').selectOption('Include');
    await scoping.getByTestId('scope-add').click();
    assert.deepEqual(await scoping.getByTestId('scope-rule-text').allTextContents(), ['Exclude tag store', 'Include path pattern /pets/**']);
    await screenshot(page, 'scope-values-configure');
    await page.getByTestId('configure-save').click();
    await page.getByTestId('configure-form').waitFor({ state: 'detached' });
    const log = (await page.getByTestId('activity-row').allTextContents()).join('\n');
    assert.match(log, /Scope of scan .*scoped-pets\.json.* changed/);
    assert.match(log, /Values of scan .*scoped-pets\.json.* changed/);
    await waitUntilSaved(page, (v) => typeof v === 'string' && v.includes('"orderId"') && v.includes('"Path":"/pets/**"'));
  });
});
