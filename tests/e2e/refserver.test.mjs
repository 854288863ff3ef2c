// The app against the reference server (crates/server): one process serves the
// built app and the JSON API, with a real SQLite file, its scan engine running
// at test speed and server-side prescans. A person points the app at it on the
// Settings page, creates an analysis, lists and filters, follows a run to
// "Completed - Results Available", runs a prescan on the server, and keeps
// working while the server is stopped and started again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { text, screenshot, download, assertHar, SAMPLE } from './helpers.mjs';
import { useRefServer } from './refserver.mjs';
import { startPrism } from './prism.mjs';

const TOKEN = 'e2e-token-4f1c-refserver';
const rig = useRefServer({ token: TOKEN });
/** A page of the app served by the reference server, pointed at it (see useRefServer). */
const open = (sub, options) => rig.open(sub, options);

function assertNoPageErrors(page) {
  assert.deepEqual(page.watched.problems(), [], 'the page reported errors');
}

/** Uploads a specification through the API; returns its record. */
async function uploadSpec(file, name) {
  const r = await rig.server.api('POST', `/specifications?file_name=${encodeURIComponent(name)}`, await readFile(file));
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** Creates an analysis through the API. */
async function createViaApi(name, { specId, server: target, start = { type: 'unscheduled' } } = {}) {
  const scans = specId
    ? [{ target: { type: 'api_specification', spec_id: specId, ...(target ? { server: target } : {}) } }]
    : [{ target: { type: 'url', url: 'https://example.com/' } }];
  const r = await rig.server.api('POST', '/analyses', {
    name,
    scans,
    schedule: { start, duration: { unit: 'days', value: 1 } },
    prescan: true,
    permission_certified: true,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** Records every text the analysis status badge shows, from now on. */
async function recordStatuses(page) {
  await page.evaluate(() => {
    window.__statuses = [];
    const seen = () => {
      const el = document.querySelector('[data-testid=analysis-status]');
      const t = el?.textContent?.trim();
      if (t && window.__statuses.at(-1) !== t) window.__statuses.push(t);
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
    seen();
  });
}

describe('the app against the reference server', () => {
  it('Settings: "Use this server", a connection check, and the backend shown in the header', async () => {
    const page = await open('#/settings', { configure: false });
    await page.getByTestId('settings-form').waitFor();
    await page.getByTestId('settings-backend-api').check();
    await page.getByTestId('settings-use-this-server').click();
    assert.equal(new URL(await page.getByTestId('settings-url').inputValue()).origin, rig.server.origin);

    // Without the token the server refuses, and the check says so.
    page.allowErrors(/status of 401/);
    await page.getByTestId('settings-check').click();
    const result = page.getByTestId('settings-check-result');
    await page.locator('[data-testid=settings-check-result][data-outcome=failed]').waitFor();
    assert.match(await result.textContent(), /token/i);

    await page.getByTestId('settings-token').fill(TOKEN);
    await page.getByTestId('settings-check').click();
    await page.locator('[data-testid=settings-check-result][data-outcome=ok]').waitFor();
    await page.getByTestId('settings-save').click();
    await page.getByTestId('backend-indicator').filter({ hasText: '127.0.0.1' }).waitFor();
    await screenshot(page, 'refserver-settings');
  });

  it('create with a specification, follow the run to "Completed - Results Available", downloads from the server', async () => {
    const page = await open('#/analyses/new');
    await page.getByTestId('new-name').waitFor();
    await page.getByTestId('new-spec-file').setInputFiles(SAMPLE);
    await page.getByTestId('new-spec').first().waitFor();
    assert.ok(await page.getByTestId('new-spec').first().isChecked());
    await page.getByTestId('new-name').fill('Server-side Petstore');
    await page.getByTestId('new-start-now').check();
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: 'Server-side Petstore' }).waitFor();
    await recordStatuses(page);

    // Stored on the server, not in the browser.
    const list = await rig.server.api('GET', '/analyses?name=Server-side');
    assert.equal(list.json.page.total_elements, 1);
    const id = list.json.analyses[0].analysis_id;
    assert.match(page.url(), new RegExp(`#/analyses/${id}$`));

    // The fast engine publishes a run in about 12 s; the page polls every 2 s.
    await page.getByTestId('analysis-status').filter({ hasText: /Published - Results Available/ })
      .waitFor({ timeout: 60_000 });
    const shown = await page.evaluate(() => window.__statuses);
    const log = (await page.getByTestId('activity-row').allTextContents()).join('\n');
    assert.match(log, /Completed - Results Available/, 'the activity log has the run reaching Completed - Results Available');
    assert.ok(shown.length >= 3, `the badge moved through several statuses: ${shown.join(' → ')}`);

    const original = await download(page, 'download-scan-spec');
    assert.equal(original.name, 'petstore.yaml');
    assert.ok(original.bytes.equals(await readFile(SAMPLE)), 'the original from the server is byte-identical');
    const har = await download(page, 'download-scan-har');
    assertHar(JSON.parse(har.bytes.toString('utf8')), 5);
    await screenshot(page, 'refserver-analysis');
    assertNoPageErrors(page);
  });

  it('list, find and filter by status on the server', async () => {
    for (const name of ['Orders nightly', 'Orders weekly', 'Billing weekly']) await createViaApi(name);
    const page = await open('#/analyses');
    await page.getByTestId('analyses-table').waitFor();
    await page.getByTestId('analysis-row').filter({ hasText: 'Billing weekly' }).waitFor();
    assert.equal(await page.getByTestId('analysis-row').count(), 4);

    await page.getByTestId('analyses-find').fill('orders');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=analysis-row]').length === 2);
    assert.match(page.url(), /q=orders/);

    await page.getByTestId('analyses-find').fill('');
    await page.getByTestId('analyses-filter').selectOption('Saved for Later');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=analysis-row]').length === 3);
    const rows = await page.getByTestId('analysis-row').allTextContents();
    assert.ok(rows.every((r) => /Saved for Later/.test(r)), rows.join('\n'));
    assert.match(await text(page, 'analyses-count'), /3/);
    await screenshot(page, 'refserver-list');
    assertNoPageErrors(page);
  });

  describe('a prescan on the server', () => {
    let prism;
    before(async () => { prism = await startPrism(SAMPLE); });
    after(async () => { await prism?.stop(); });

    it('runs on the server against a real server, and the page shows the report', async () => {
      const spec = await uploadSpec(SAMPLE, 'petstore.yaml');
      const analysis = await createViaApi('Prescan on the server', { specId: spec.spec_id, server: prism.url });
      const scan = analysis.scans[0].scan_id;
      const page = await open(`#/analyses/${analysis.analysis_id}/scans/${scan}/prescan`);
      // Before the first run the server answers 404 ("no prescan yet"), which the browser logs.
      page.allowErrors(/status of 404 .*\/prescan\)/);
      await page.getByTestId('prescan-on-server').waitFor();
      await page.getByTestId('prescan-run').click();
      await page.getByTestId('prescan-status').filter({ hasText: /Prescan (Succeeded|Failed)/ }).waitFor();
      assert.equal(await text(page, 'prescan-status'), 'Prescan Succeeded');
      const rows = await page.getByTestId('prescan-row-response').allTextContents();
      assert.equal(rows.filter((r) => /^\s*200/.test(r)).length, 2, rows.join(' | '));
      assert.equal(rows.filter((r) => /Skipped/.test(r)).length, 3, rows.join(' | '));

      // The server keeps it: a new visit shows the same report.
      const again = await open(`#/analyses/${analysis.analysis_id}/scans/${scan}/prescan`);
      await again.getByTestId('prescan-status').filter({ hasText: 'Prescan Succeeded' }).waitFor();
      const kept = await rig.server.api('GET', `/scans/${scan}/prescan`);
      assert.equal(kept.status, 200);
      assert.equal(kept.json.state, 'finished');
      await screenshot(page, 'refserver-prescan');
      assertNoPageErrors(page);
    });
  });

  it('the server stopped mid-way: the app says so, keeps what was typed, and recovers by itself when it is back', async () => {
    // What a browser logs while the server is down; the last one is the
    // service worker's script fetch (the form's tab registers it as it
    // opens, and the crash can come before that fetch ends).
    const offline = /Failed to load resource|ERR_CONNECTION_REFUSED|Failed to fetch|An unknown error occurred when fetching the script/;
    const page = await open('#/analyses');
    page.allowErrors(offline);
    await page.getByTestId('analysis-row').first().waitFor();
    const before = await page.getByTestId('analysis-row').count();
    // The create form is open in another tab (the app comes from this server too).
    const form = await open('#/analyses/new');
    form.allowErrors(offline);
    await form.getByTestId('new-name').waitFor();

    // A crash, not a clean shutdown.
    await rig.server.stop({ kill: true });
    await page.getByTestId('poll-error').waitFor({ timeout: 30_000 });
    assert.match(await text(page, 'poll-error-message'), /reach|connect/i);
    assert.equal(await page.getByTestId('analysis-row').count(), before, 'the last list stays shown');
    await screenshot(page, 'refserver-down');

    // The form filled while the server is down: the error says so, nothing typed is lost.
    await form.getByTestId('new-name').fill('Typed while the server was down');
    await form.getByTestId('new-urls').fill('https://example.com/');
    await form.getByTestId('new-start-now').check();
    await form.getByTestId('new-permission').check();
    await form.getByTestId('new-submit').click();
    await form.getByTestId('create-error').waitFor();
    assert.match(await text(form, 'create-error'), /reach|connect/i);
    assert.equal(await form.getByTestId('new-name').inputValue(), 'Typed while the server was down');
    assert.equal(await form.getByTestId('new-urls').inputValue(), 'https://example.com/');
    await screenshot(form, 'refserver-create-down');

    await rig.server.start();
    // The list page recovers without a reload or a click.
    await page.getByTestId('poll-error').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await page.getByTestId('analysis-row').count(), before, 'nothing acknowledged was lost');

    await form.getByTestId('create-retry').click();
    await form.getByTestId('analysis-name').filter({ hasText: 'Typed while the server was down' }).waitFor();
    const list = await rig.server.api('GET', '/analyses?name=typed%20while');
    assert.equal(list.json.page.total_elements, 1);
    assertNoPageErrors(page);
    assertNoPageErrors(form);
  });
});
