// The analysis summary page and the create form, as a person uses them:
// from the spec preview to a new analysis, the form's errors, the lifecycle
// moving on screen (a fake clock drives the scan engine), the actions with
// their reasons and confirmations, Configure, Delete, and persistence.
//
// Names are chosen for their simulated outcome (Outcome::for_run in
// crates/core/src/analysis/engine.rs): every name used with the engine
// running to the end succeeds on its first run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  useApp, loadSample, text, download, assertHar, screenshot, pauseClock, SAMPLE, TIMEOUT,
} from './helpers.mjs';
import { nameWithOutcome } from './simulation.mjs';

const app = useApp();

/** Opens the create form (optionally with a fake clock installed first). */
async function openNew({ clock = false } = {}) {
  const context = await app.newContext();
  if (clock) {
    await pauseClock(context);
  }
  const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
  await page.getByTestId('new-name').waitFor();
  return page;
}

/** Fills and submits the create form; waits for the summary page. */
async function create(page, { name, urls = 'https://example.com/', startAt }) {
  await page.getByTestId('new-name').fill(name);
  if (urls) await page.getByTestId('new-urls').fill(urls);
  if (startAt) {
    await page.getByTestId('new-start-at').check();
    await page.getByTestId('new-start-time').fill(startAt);
  } else {
    await page.getByTestId('new-start-now').check();
  }
  await page.getByTestId('new-permission').check();
  await page.getByTestId('new-submit').click();
  await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor();
}

const status = (page) => text(page, 'analysis-status');

async function waitStatus(page, label) {
  await page.getByTestId('analysis-status').filter({ hasText: new RegExp(`^\\s*${label.replace(/[-]/g, '\\-')}\\s*$`) })
    .waitFor({ timeout: TIMEOUT });
}

/** The reason shown next to a disabled action. */
async function reason(page, testid) {
  return (await page.locator(`[data-testid=action-reason][data-action=${testid}]`).textContent())?.trim() ?? '';
}

async function activity(page) {
  return page.getByTestId('activity-row').allTextContents();
}

/** A datetime-local value `ms` from the page's now, in the page's local time. */
async function localTimeFromNow(page, ms) {
  return page.evaluate((ms) => {
    const d = new Date(Date.now() + ms);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, ms);
}

describe('analysis pages', () => {
  it('from the spec preview to a new analysis: preselected, created, downloads byte-identical and HAR 1.2', async () => {
    const page = await app.open();
    await loadSample(page);
    await page.getByTestId('use-in-analysis').click();
    await page.getByTestId('new-name').waitFor();
    assert.match(page.url(), /#\/analyses\/new\?spec=\d+$/);
    const specs = page.getByTestId('new-spec');
    await specs.first().waitFor();
    assert.equal(await specs.count(), 1);
    assert.ok(await specs.first().isChecked(), 'the specification is preselected');
    assert.match(await page.getByTestId('new-specs-table').textContent(), /petstore\.yaml/);
    await screenshot(page, 'analysis-new');

    await create(page, { name: 'Petstore from preview', urls: '' });
    assert.match(page.url(), /#\/analyses\/\d+$/);
    assert.equal(await text(page, 'analysis-name'), 'Petstore from preview');
    assert.ok((await status(page)).length > 0, 'a status badge is shown');
    await page.getByTestId('analysis-status').getByTestId('status-badge').waitFor();

    const rows = page.getByTestId('scan-row');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().textContent(), /petstore\.yaml/);
    assert.match(await rows.first().textContent(), /API specification/);
    await rows.first().getByTestId('status-badge').waitFor();

    const original = await download(page, 'download-scan-spec');
    assert.equal(original.name, 'petstore.yaml');
    assert.ok(original.bytes.equals(await readFile(SAMPLE)), 'the original is byte-identical');

    const har = await download(page, 'download-scan-har');
    assert.equal(har.name, 'petstore.har');
    assertHar(JSON.parse(har.bytes.toString('utf8')), 5);
    await screenshot(page, 'analysis-summary');
  });

  it('a specification added on the form is stored, checked and scanned', async () => {
    const page = await openNew();
    await page.getByTestId('no-specs').waitFor();
    await page.getByTestId('new-spec-file').setInputFiles(SAMPLE);
    await page.getByTestId('new-spec').first().waitFor();
    assert.ok(await page.getByTestId('new-spec').first().isChecked());
    await create(page, { name: 'Added on the form', urls: '' });
    assert.match(await page.getByTestId('scans-table').textContent(), /petstore\.yaml/);
  });

  it('validation: each error next to its field and in the summary; what was typed stays', async () => {
    const page = await openNew();
    await page.getByTestId('new-name').fill('abc');
    await page.getByTestId('new-submit').click();
    const summary = page.getByTestId('error-summary');
    await summary.waitFor();
    const field = (f) => page.locator(`[data-testid=field-error][data-field=${f}]`);
    assert.match(await field('name').textContent(), /6 to 256 characters/);
    assert.match(await field('scans').textContent(), /at least one/);
    assert.match(await field('certification').textContent(), /permission/);
    assert.equal(await summary.getByRole('link').count(), 3);
    assert.match(await summary.textContent(), /6 to 256 characters/);
    assert.equal(await page.getByTestId('new-name').inputValue(), 'abc');
    assert.equal(await page.getByTestId('new-name').getAttribute('aria-invalid'), 'true');
    assert.match(await page.getByTestId('new-name').getAttribute('aria-describedby'), /new-name-error/);
    await screenshot(page, 'analysis-new-errors');

    // A link of the summary moves the focus to its field (not to another route).
    await summary.getByRole('link').first().click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'new-name');
    assert.match(page.url(), /#\/analyses\/new/);

    // A bad URL; a name and certification that are fine now.
    await page.getByTestId('new-name').fill('Existing analysis');
    await page.getByTestId('new-urls').fill('ftp://example.com/');
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await field('scans').filter({ hasText: /not a web address/ }).waitFor();
    assert.equal(await field('name').count(), 0, 'the name error is gone');
    assert.equal(await page.getByTestId('new-urls').inputValue(), 'ftp://example.com/');

    await page.getByTestId('new-urls').fill('https://example.com/');
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: 'Existing analysis' }).waitFor();

    // A duplicate name (ignoring case).
    await page.evaluate(() => { location.hash = '#/analyses/new'; });
    await page.getByTestId('new-name').fill('existing ANALYSIS');
    await page.getByTestId('new-urls').fill('https://example.org/');
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await field('name').filter({ hasText: /already exists/ }).waitFor();
    assert.equal(await page.getByTestId('new-name').inputValue(), 'existing ANALYSIS');
    assert.equal(await page.getByTestId('new-urls').inputValue(), 'https://example.org/');
    assert.ok(await page.getByTestId('new-permission').isChecked());
  });

  it('the lifecycle moves on screen, with the activity log, notifications and Configure gating', async () => {
    const page = await openNew({ clock: true });
    await create(page, { name: 'Lifecycle run' });
    await waitStatus(page, 'Submitted');
    const rowsAtStart = (await activity(page)).length;

    // Running: Configure is disabled and says why.
    assert.ok(await page.getByTestId('action-configure').isDisabled());
    assert.match(await reason(page, 'action-configure'), /running/i);
    assert.equal(
      await page.getByTestId('action-configure').getAttribute('aria-describedby'),
      'action-configure-reason',
    );
    assert.ok(await page.getByTestId('action-stop-save').isEnabled());
    assert.ok(await page.getByTestId('action-delete').isDisabled());

    await page.clock.runFor(4_000);
    await waitStatus(page, 'Prescanning');
    await page.clock.runFor(11_000);
    await waitStatus(page, 'Queued');
    await page.getByTestId('notifications').filter({ hasText: 'The prescan of a Dynamic Analysis succeeded.' }).waitFor();
    const log = await activity(page);
    assert.ok(log.length > rowsAtStart, 'the activity log gained rows');
    assert.match(log[0], /System/, 'newest first, by System');

    await page.clock.runFor(6_000);
    await waitStatus(page, 'In Progress');
    assert.ok(await page.getByTestId('action-pause').isEnabled());
    await page.clock.runFor(41_000);
    await waitStatus(page, 'Completed - Verifying Results');
    assert.match(await reason(page, 'action-configure'), /verifying/i);
    await page.clock.runFor(13_000);
    await waitStatus(page, 'Completed - Results Available');
    await page.clock.runFor(9_000);
    await waitStatus(page, 'Published - Results Available');
    await page.getByTestId('notifications').filter({ hasText: 'results of a Dynamic Analysis are published' }).waitFor();
    const scanStatus = await page.getByTestId('scan-row').first().getByTestId('status-badge').textContent();
    assert.ok(scanStatus.trim().length > 0);

    // Published: Configure is available and saves a new name.
    assert.ok(await page.getByTestId('action-configure').isEnabled());
    assert.equal(await page.locator('[data-testid=action-reason][data-action=action-configure]').count(), 0);
    await page.getByTestId('action-configure').click();
    await page.getByTestId('configure-form').waitFor();
    await page.getByTestId('configure-name').fill('Lifecycle run, renamed');
    await page.getByTestId('configure-save').click();
    await page.getByTestId('analysis-name').filter({ hasText: 'Lifecycle run, renamed' }).waitFor();
    await page.getByTestId('configure-form').waitFor({ state: 'detached' });
    const after = await activity(page);
    assert.match(after[0], /Lifecycle run, renamed/, 'the log records the new name');
    assert.match(after[0], /You \(this browser\)/);
    assert.equal(await status(page), 'Published - Results Available', 'a rename does not start a run');
    await screenshot(page, 'analysis-published');
  });

  it('with the person\'s permission, the browser shows the notifications too', async () => {
    const context = await app.newContext();
    // A stand-in for the browser's Notification API that records what is shown
    // and grants permission when asked (headless Chromium shows nothing).
    await context.addInitScript(() => {
      window.__shown = [];
      class RecordingNotification {
        static permission = 'default';
        static requestPermission() {
          RecordingNotification.permission = 'granted';
          return Promise.resolve('granted');
        }
        constructor(title, options) { window.__shown.push({ title, body: options?.body ?? '' }); }
        close() {}
      }
      window.Notification = RecordingNotification;
    });
    await pauseClock(context);
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    await page.getByTestId('new-name').waitFor();
    await page.getByTestId('enable-browser-notifications').click();
    await page.getByTestId('enable-browser-notifications').waitFor({ state: 'detached' });
    await create(page, { name: 'Browser notified run' });
    await page.clock.runFor(15_000);
    await page.getByTestId('notifications').filter({ hasText: 'The prescan of a Dynamic Analysis succeeded.' }).waitFor();
    const shown = await page.evaluate(() => window.__shown);
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.equal(shown[0].title, 'The prescan of a Dynamic Analysis succeeded.');
    assert.match(shown[0].body, /Browser notified run/);
  });

  it('pause, resume and stop and save from the actions; stop and delete asks first', async () => {
    const page = await openNew({ clock: true });
    await create(page, { name: 'Pause resume run' });
    await page.clock.runFor(20_000);
    await waitStatus(page, 'In Progress');

    await page.getByTestId('action-pause').click();
    await waitStatus(page, 'Paused');
    assert.ok(await page.getByTestId('action-pause').isDisabled());
    assert.match(await reason(page, 'action-pause'), /Only an analysis that is In Progress/);
    await page.getByTestId('action-resume').click();
    await waitStatus(page, 'In Progress');

    await page.getByTestId('action-stop-save').click();
    await waitStatus(page, 'Stopped - Saving Results');
    assert.match((await activity(page)).join('\n'), /Pause requested/);
    await page.clock.runFor(5_000);
    await waitStatus(page, 'Stopped - Verifying Partial Results');
    await page.clock.runFor(13_000);
    await waitStatus(page, 'Stopped - Partial Results Available');
    assert.ok(await page.getByTestId('action-configure').isEnabled());

    // Stop and delete: a confirmation step in the page; Cancel leaves it running.
    await page.evaluate(() => { location.hash = '#/analyses/new'; });
    await page.getByTestId('new-name').waitFor();
    await create(page, { name: 'Stop and delete run' });
    await page.getByTestId('action-stop-delete').click();
    await page.getByTestId('confirm-action').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'confirm-action');
    await page.getByTestId('confirm-cancel').click();
    await page.getByTestId('confirm-action').waitFor({ state: 'detached' });
    assert.equal(await status(page), 'Submitted');
    await page.getByTestId('action-stop-delete').click();
    await page.getByTestId('confirm-action').click();
    await waitStatus(page, 'Stopped - Deleting Results');
    // It ran: Delete is refused, with the reason.
    assert.ok(await page.getByTestId('action-delete').isDisabled());
    assert.match(await reason(page, 'action-delete'), /only an analysis that never ran/);
  });

  it('delete an analysis that never ran (scheduled), after confirming', async () => {
    const page = await openNew();
    const startAt = await localTimeFromNow(page, 2 * 3_600_000);
    await create(page, { name: 'Scheduled later', startAt });
    await waitStatus(page, 'Scheduled');
    assert.notEqual(await text(page, 'detail-next-run'), '—');
    assert.ok(await page.getByTestId('action-delete').isEnabled());
    assert.ok(await page.getByTestId('action-configure').isEnabled());
    await page.getByTestId('action-delete').click();
    await page.getByTestId('confirm-action').click();
    // The list of analyses says so, and no longer has it.
    await page.waitForFunction(() => /^#\/analyses(\?|$)/.test(location.hash));
    await page.locator('[data-testid=analyses-empty], [data-testid=analyses-table]').first().waitFor();
    assert.match(await text(page, 'data-result'), /The analysis .Scheduled later. was deleted\./);
    assert.equal(await page.getByTestId('analysis-row').filter({ hasText: 'Scheduled later' }).count(), 0);
    // It is gone: its page says so, with a way back.
    await page.goBack();
    await page.getByTestId('analysis-not-found').waitFor();
    assert.match(await page.getByTestId('analysis-not-found').textContent(), /All Dynamic Analyses/);
  });

  it('the created analysis survives a reload (IndexedDB); an unknown id says so', async () => {
    const page = await openNew();
    await create(page, { name: 'Persisted analysis' });
    const url = page.url();
    await page.waitForTimeout(1_000); // the store saves shortly after a change
    await page.reload();
    await page.getByTestId('analysis-name').filter({ hasText: 'Persisted analysis' }).waitFor();
    assert.equal(page.url(), url);
    assert.ok((await activity(page)).length >= 1);

    await page.evaluate(() => { location.hash = '#/analyses/99999'; });
    await page.getByTestId('analysis-not-found').waitFor();
    await page.evaluate(() => { location.hash = '#/analyses/not-a-number'; });
    await page.getByTestId('analysis-not-found').waitFor();
  });

  it('a stored specification is kept apart from the saved state and downloads byte-identical after a reload', async () => {
    const page = await app.open();
    await loadSample(page);
    await page.getByTestId('use-in-analysis').click();
    await page.getByTestId('new-name').waitFor();
    await create(page, { name: 'Bytes kept apart', urls: '' });
    const saved = await waitUntilStored(page, (db) => db.state?.includes('"bytes_apart":true') && db.specs.length === 1);
    assert.equal(saved.version, 3, 'IndexedDB version 3 (spec_files for the other files of a multi-file specification)');
    assert.ok(!saved.state.includes('"bytes":'), 'the saved state holds no bytes');
    assert.equal(saved.specs[0].size, (await readFile(SAMPLE)).length);
    await page.reload();
    await page.getByTestId('analysis-name').filter({ hasText: 'Bytes kept apart' }).waitFor();
    const original = await download(page, 'download-scan-spec');
    assert.ok(original.bytes.equals(await readFile(SAMPLE)), 'the original is byte-identical');
  });

  it('a save of version 1 with the bytes inline is moved to the bytes store, nothing lost', async () => {
    // A version 1 save: what the app saved before (the whole state, bytes
    // inline, base64), i.e. an export.
    const first = await app.open();
    await loadSample(first);
    await first.getByTestId('use-in-analysis').click();
    await first.getByTestId('new-name').waitFor();
    await create(first, { name: 'Saved by version one', urls: '' });
    const analysisUrl = first.url().replace(/^.*#/, '#');
    await first.goto(app.server.url + '#/analyses');
    const exported = (await download(first, 'export-analyses')).bytes.toString('utf8');
    assert.match(exported, /"bytes": "/);

    // A new browser profile whose IndexedDB holds that save at version 1,
    // written before the app opens.
    const context = await app.newContext();
    const page = await context.newPage();
    await page.goto(app.server.url + 'sw.js');
    await page.evaluate((text) => new Promise((resolve, reject) => {
      const open = indexedDB.open('prescan', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('state');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction('state', 'readwrite');
        tx.objectStore('state').put(text, 'analyses');
        tx.oncomplete = () => { db.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    }), exported);
    const opened = await app.open({ context, path: analysisUrl, waitForApp: false });
    await opened.getByTestId('analysis-name').filter({ hasText: 'Saved by version one' }).waitFor();
    const original = await download(opened, 'download-scan-spec');
    assert.ok(original.bytes.equals(await readFile(SAMPLE)), 'the original is byte-identical');
    const saved = await waitUntilStored(opened, (db) => db.state?.includes('"bytes_apart":true'));
    assert.equal(saved.version, 3, 'upgraded from version 1 to 3, nothing lost');
    assert.ok(!saved.state.includes('"bytes":'), 'the saved state no longer holds bytes');
    assert.equal(saved.specs.length, 1);
    assert.equal(saved.specs[0].size, (await readFile(SAMPLE)).length);
    // And after a reload, from the new layout.
    await opened.reload();
    await opened.getByTestId('analysis-name').filter({ hasText: 'Saved by version one' }).waitFor();
    const again = await download(opened, 'download-scan-spec');
    assert.ok(again.bytes.equals(await readFile(SAMPLE)), 'still byte-identical');
  });
});

// Issue 15, item 8: the analysis page.
describe('issue 15: the analysis page', () => {
  /** A fresh analysis run to Published - Results Available (fake clock). */
  async function published(prefix, { second = 'Succeeds', contextOptions = {} } = {}) {
    const context = await app.newContext(contextOptions);
    await pauseClock(context);
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    await page.getByTestId('new-name').waitFor();
    const name = nameWithOutcome(prefix, 'Succeeds', { second });
    await create(page, { name });
    await page.clock.runFor(95_000);
    await waitStatus(page, 'Published - Results Available');
    return { page, name };
  }

  it('one date-time format: the list and the page write a date alike, with the time zone on hover', async () => {
    const { page, name } = await published('Dated run', {
      contextOptions: { locale: 'en-US', timezoneId: 'Europe/Paris' },
    });
    const pageText = await text(page, 'detail-last-run');
    const titleOf = async (cell) => ((await cell.locator('time[title]').count()) === 1
      ? cell.locator('time[title]').getAttribute('title') : null);
    const pageTitle = await titleOf(page.getByTestId('detail-last-run'));
    const activityText = (await page.getByTestId('activity-row').first().locator('td').first().textContent()).trim();
    await page.getByRole('link', { name: 'All Dynamic Analyses' }).click();
    const row = page.getByTestId('analysis-row').filter({ hasText: name });
    await row.waitFor();
    assert.equal((await row.getByTestId('last-run').textContent()).trim(), pageText, 'the same date, written the same way');
    assert.ok(pageTitle, 'the page gives the full date on hover');
    assert.equal(await titleOf(row.getByTestId('last-run')), pageTitle, 'the list too');
    assert.match(pageText, /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M$/, 'the locale\'s medium date, short time');
    assert.match(pageTitle, /Central European|GMT\+1|CET/, `the time zone on hover: ${pageTitle}`);
    assert.match(activityText, /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M$/, 'the activity log too');
  });

  it('actions not available look unavailable and give their reasons once', async () => {
    const { page } = await published('Unavailable actions run');
    const disabled = ['action-stop-save', 'action-stop-delete', 'action-pause', 'action-resume', 'action-delete'];
    const looks = [];
    for (const id of disabled) {
      const button = page.getByTestId(id);
      assert.ok(await button.isDisabled(), id);
      looks.push(await button.evaluate((b) => {
        const s = getComputedStyle(b);
        return `${s.backgroundColor} ${s.color} ${s.borderStyle}`;
      }));
    }
    // Delete (red when available) looks like every other unavailable action.
    assert.equal(new Set(looks).size, 1, looks.join(' | '));
    const available = await page.getByTestId('action-configure').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.notEqual(looks[0].split(' rgb')[0], available);
    // One short list; a reason shared by two actions is given once.
    const reasons = await page.getByTestId('action-reason').allTextContents();
    assert.equal(reasons.length, new Set(reasons).size, reasons.join('\n'));
    assert.ok(reasons.length < disabled.length, reasons.join('\n'));
    assert.equal(await page.getByTestId('actions-unavailable').count(), 1);
    const stop = page.locator('[data-testid=action-reason][data-action~=action-stop-delete]');
    assert.match(await stop.textContent(), /Stop and Save Results, Stop and Delete Results: Only a running analysis can be stopped/);
    for (const id of disabled) {
      const described = await page.getByTestId(id).getAttribute('aria-describedby');
      assert.ok(described && (await page.locator(`#${described}`).count()) === 1, `${id} points to its reason`);
    }
    await screenshot(page, 'analysis-actions-published');
  });

  it('Run again starts a new run with the same configuration, in one click', async () => {
    const { page, name } = await published('Run again run');
    assert.equal(await page.getByTestId('detail-duration').textContent(), '1 day');
    await page.getByTestId('action-run-again').click();
    await waitStatus(page, 'Submitted');
    assert.match(await text(page, 'analysis-message'), /^Run 2 submitted with the same configuration\.$/);
    assert.equal(await page.getByTestId('detail-duration').textContent(), '1 day');
    assert.equal(await page.getByTestId('configure-form').count(), 0, 'no form to fill');
    const log = await activity(page);
    assert.match(log.find((r) => /Action requested/.test(r)) ?? '', /Run again requested\./);
    // While it runs, Run again is not offered.
    assert.ok(await page.getByTestId('action-run-again').isDisabled());
    await page.clock.runFor(95_000);
    await waitStatus(page, 'Published - Results Available');
    assert.equal(await page.getByTestId('analysis-name').textContent(), name);
  });

  it('a failed submission says why', async () => {
    const page = await openNew({ clock: true });
    const name = nameWithOutcome('Failed submission run', 'NotSubmitted');
    await create(page, { name });
    await page.clock.runFor(4_000);
    await waitStatus(page, 'Not Submitted');
    const toast = page.getByTestId('notification').filter({ hasText: 'A Dynamic Analysis failed.' });
    await toast.waitFor();
    assert.doesNotMatch(await toast.textContent(), /A technical issue prevented the submission/);
    assert.match(await toast.textContent(), /failed this submission on purpose/);
    const note = await text(page, 'simulation-note');
    assert.match(note, /simulated scan engine makes about one run in twenty fail/);
    assert.match(note, /Run again/);
  });

  it('no stale status text; the log records only real changes', async () => {
    const { page } = await published('Configured again run');
    // Configure, keep everything, Start now, Save: a new run.
    await page.getByTestId('action-configure').click();
    await page.getByTestId('configure-form').waitFor();
    await page.getByTestId('cfg-start-now').check();
    await page.getByTestId('configure-save').click();
    await page.getByTestId('configure-form').waitFor({ state: 'detached' });
    await waitStatus(page, 'Submitted');
    await page.clock.runFor(4_000);
    await waitStatus(page, 'Prescanning');
    const message = await text(page, 'analysis-message');
    assert.doesNotMatch(message, /Submitted/, `stale: ${message}`);
    // No entry whose old and new values are the same.
    const rows = page.getByTestId('activity-row');
    for (let i = 0; i < await rows.count(); i++) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      const [, , what, old, now] = cells.map((c) => c.trim());
      assert.ok(!old || old !== now, `a no-op change was logged: ${what}: ${old} → ${now}`);
    }
  });
});


/** The app's IndexedDB: its version, the saved state text, and the specification files kept apart. */
async function stored(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('prescan');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const names = [...db.objectStoreNames];
      const out = { version: db.version, state: null, specs: [] };
      if (!names.includes('specs')) {
        db.close();
        resolve(out);
        return;
      }
      const tx = db.transaction(['state', 'specs']);
      tx.objectStore('state').get('analyses').onsuccess = (e) => { out.state = e.target.result ?? null; };
      tx.objectStore('specs').openCursor().onsuccess = (e) => {
        const cursor = e.target.result;
        if (!cursor) return;
        out.specs.push({ key: cursor.key, size: cursor.value.byteLength });
        cursor.continue();
      };
      tx.oncomplete = () => { db.close(); resolve(out); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    };
  }));
}

async function waitUntilStored(page, predicate) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const value = await stored(page);
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`not saved as expected: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
