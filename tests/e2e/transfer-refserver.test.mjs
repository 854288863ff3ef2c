// Export and Import with the analyses on a server (issue 19): a security lead
// exports everything from one reference server (GET /api/v1/export, downloaded
// as prescan-analyses-YYYY-MM-DD.json), then imports the file into another
// server (POST /api/v1/import) from the app that server serves: the analyses
// are ADDED, the page says so, and a second import of the same file is refused
// with the server's sentence, nothing written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { download, screenshot, watch, SAMPLE, DIST } from './helpers.mjs';
import { useRefServer, startRefServer } from './refserver.mjs';

const TOKEN_A = 'e2e-token-transfer-source-1';
const TOKEN_B = 'e2e-token-transfer-target-2';
const rig = useRefServer({ token: TOKEN_A });
let target = null;

before(async () => {
  target = await startRefServer({ dist: DIST, token: TOKEN_B });
});
after(async () => {
  await target?.close();
});

/** A page of the app `server` serves, pointed at that server. */
async function openOn(server, token, sub) {
  const context = await rig.browser.newContext({ acceptDownloads: true });
  rig.contexts.push(context);
  await context.addInitScript(([url, t]) => {
    localStorage.setItem('prescan.backend', 'api');
    localStorage.setItem('prescan.api.url', url);
    localStorage.setItem('prescan.api.token', t);
  }, [server.origin, token]);
  const page = await context.newPage();
  page.watched = watch(page);
  await page.goto(`${server.origin}/${sub}`);
  return page;
}

describe('Export and Import against a server', () => {
  it('exports from one server and adds the analyses to another', async () => {
    const spec = await rig.server.api('POST', '/specifications?file_name=petstore.yaml', await readFile(SAMPLE));
    assert.equal(spec.status, 201, spec.text);
    for (const [name, auth] of [
      ['Transfer source one', { custom_headers: [{ name: 'X-Api-Secret', value: 'e2e-secret-value' }] }],
      ['Transfer source two', {}],
    ]) {
      const r = await rig.server.api('POST', '/analyses', {
        name,
        scans: [{ target: { type: 'api_specification', spec_id: spec.json.spec_id }, auth }],
        schedule: { start: { type: 'unscheduled' }, duration: { unit: 'days', value: 1 } },
        prescan: true,
        permission_certified: true,
      });
      assert.equal(r.status, 201, r.text);
    }

    // Export from the source server.
    const source = await rig.open('#/analyses');
    await source.getByTestId('data-tools-api').waitFor();
    await source.getByTestId('analyses-count').filter({ hasText: '2 of 2' }).waitFor();
    assert.equal(await source.getByTestId('transfer-refused').count(), 0);
    const file = await download(source, 'export-analyses-server');
    assert.match(file.name, /^prescan-analyses-\d{4}-\d{2}-\d{2}\.json$/);
    const text = file.bytes.toString('utf8');
    assert.ok(!text.includes('e2e-secret-value'), 'the export has no credential value');
    assert.ok(text.includes('X-Api-Secret'), 'the export keeps the header name');
    assert.equal(JSON.parse(text).analyses.length, 2);
    const exported = source.locator('[data-testid=server-data-result][data-outcome=ok]');
    await exported.waitFor();
    assert.match(await exported.textContent(), /^Downloaded prescan-analyses-.*\.json with 2 analyses from the server at http:\/\/127\.0\.0\.1:\d+\./);

    // Import into the other server, from the app it serves.
    const page = await openOn(target, TOKEN_B, '#/analyses');
    await page.getByTestId('data-tools-api').waitFor();
    await page.getByTestId('analyses-count').filter({ hasText: '0 of 0' }).waitFor();
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      d.accept();
    });
    await page.getByTestId('import-analyses-server').setInputFiles({ name: file.name, mimeType: 'application/json', buffer: file.bytes });
    const done = page.locator('[data-testid=server-import-result][data-outcome=ok]');
    await done.waitFor();
    assert.match(asked, /adds its 2 analyses to the server at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(asked, /Nothing on the server is replaced or deleted/);
    const sentence = (await done.textContent()).trim();
    assert.equal(sentence, `Imported 2 analyses from ${file.name} into the server at ${target.origin}; nothing there was replaced.`);
    await page.getByTestId('analyses-count').filter({ hasText: '2 of 2' }).waitFor();
    const list = await target.api('GET', '/analyses?sort=name');
    assert.deepEqual(list.json.analyses.map((a) => a.name), ['Transfer source one', 'Transfer source two']);
    const audits = await target.api('GET', `/analyses/${list.json.analyses[0].analysis_id}/audits`);
    assert.match(audits.json.audits.at(-1).details, new RegExp(`^Imported by API user from ${file.name.replace(/\./g, '\\.')}`));

    // The same file again: every name is taken; the server's sentence is shown.
    page.allowErrors(/status of 422/);
    page.once('dialog', (d) => d.accept());
    await page.getByTestId('import-analyses-server').setInputFiles({ name: file.name, mimeType: 'application/json', buffer: file.bytes });
    const refused = page.locator('[data-testid=server-import-result][data-outcome=failed]');
    await refused.waitFor();
    const why = await refused.textContent();
    assert.match(why, /The file's analyses "Transfer source one", "Transfer source two" are already on the server\./);
    assert.match(why, /nothing was imported/);
    await screenshot(page, 'analyses-server-import-refused');
    assert.equal((await target.api('GET', '/analyses')).json.analyses.length, 2);
    assert.deepEqual(source.watched.problems(), []);
    assert.deepEqual(page.watched.problems(), []);
  });
});
