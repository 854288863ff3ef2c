// Endpoint scope and values kept with a scan on the reference server (issue
// 18): the preview's scope and values go with Use in a new analysis, the
// server stores them (the JSON API returns them), and Configure shows and
// saves them after a reload.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { text, tempDir, writeTemp, specShown, screenshot, TIMEOUT } from './helpers.mjs';
import { useRefServer } from './refserver.mjs';

const TOKEN = 'e2e-token-scope-values';
const rig = useRefServer({ token: TOKEN });
const dir = await tempDir();

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Scoped pets', version: '1.0.0' },
  servers: [{ url: 'https://api.example.com' }],
  paths: {
    '/pets/{petId}': {
      get: {
        tags: ['pets'],
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { 200: { description: 'A pet' } },
      },
    },
    '/store/inventory': { get: { tags: ['store'], responses: { 200: { description: 'Counts' } } } },
  },
};

describe('scope and values on the reference server', () => {
  it('are stored with the scan, returned by the API, and edited by Configure', async () => {
    const file = await writeTemp(dir, 'scoped-pets.json', JSON.stringify(SPEC));
    const page = await rig.open('#/');
    await page.getByTestId('file-input').setInputFiles(file);
    await specShown(page);
    await page.getByTestId('scope-toggle').click();
    await page.getByTestId('scope-text').fill('store');
    await page.getByTestId('scope-add').click();
    await page.getByTestId('coverage-line').waitFor({ timeout: TIMEOUT });
    await page.getByTestId('values-toggle').click();
    await page.getByTestId('values-text').fill('petId=42');
    await page.getByTestId('values-apply').click();
    await page.getByTestId('endpoint-user-values').waitFor({ timeout: TIMEOUT });
    await page.getByTestId('use-in-analysis').click();
    await page.getByTestId('new-name').waitFor({ timeout: TIMEOUT });
    await page.getByTestId('new-name').fill('Scoped on the server');
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
    await page.getByTestId('analysis-name').filter({ hasText: 'Scoped on the server' }).waitFor({ timeout: TIMEOUT });

    const list = await rig.server.api('GET', '/analyses?name=Scoped');
    const id = list.json.analyses[0].analysis_id;
    const stored = await rig.server.api('GET', `/analyses/${id}`);
    const scan = stored.json.scans[0];
    assert.deepEqual(scan.scope, [{ select: { type: 'tag', tag: 'store' }, decision: 'EXCLUDE' }]);
    assert.deepEqual(scan.values, [{ name: 'petId', value: '42' }]);

    // After a reload, Configure shows them; a change is saved and logged.
    await page.reload();
    await page.getByTestId('action-configure').click();
    const scoping = page.getByTestId('configure-scoping');
    await scoping.waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await scoping.getByTestId('scope-rule-text').allTextContents(), ['Exclude tag store']);
    assert.equal(await scoping.getByTestId('values-text').inputValue(), 'petId=42');
    await scoping.getByTestId('scope-rule-remove').click();
    await scoping.getByTestId('values-text').fill('petId=7');
    await page.getByTestId('configure-save').click();
    await page.getByTestId('configure-form').waitFor({ state: 'detached', timeout: TIMEOUT });
    const after = await rig.server.api('GET', `/analyses/${id}`);
    assert.deepEqual(after.json.scans[0].scope, []);
    assert.deepEqual(after.json.scans[0].values, [{ name: 'petId', value: '7' }]);
    const log = (await page.getByTestId('activity-row').allTextContents()).join('\n');
    assert.match(log, /Scope of scan .*changed/);
    assert.match(log, /Values of scan .*changed/);
    assert.match(await text(page, 'analysis-name'), /Scoped on the server/);
    await screenshot(page, 'scope-values-refserver');
    assert.deepEqual(page.watched.problems(), []);
  });
});
