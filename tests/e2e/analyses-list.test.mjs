// All Dynamic Analyses (#/analyses): find, filter by status, sort, URL state,
// live status changes, persistence (IndexedDB), export and import, unreadable
// storage, paging. Run against the release build (E2E_DIST, default dist/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, byId, download, screenshot, storedAnalyses, waitUntilSaved, TIMEOUT } from './helpers.mjs';

const app = useApp();

const DEMO_COUNT = 24;

/** Opens the list (a new context unless one is given) and waits until it has read the store. */
async function openList(hash = '#/analyses', { context, clock } = {}) {
  context ??= await app.newContext();
  if (clock) await context.clock.install();
  const page = await app.open({ path: hash, context, waitForApp: false });
  await listReady(page);
  return page;
}

async function listReady(page) {
  await page.waitForFunction(
    () => /^\d[\d,]* of \d[\d,]* analys[ie]s$/.test(document.querySelector('[data-testid=analyses-count]')?.textContent?.trim() ?? ''),
    null,
    { timeout: TIMEOUT },
  );
}

/** The count line as numbers: [matching, total]. */
async function counts(page) {
  const t = (await byId(page, 'analyses-count').textContent()).trim();
  const m = t.match(/^([\d,]+) of ([\d,]+) analys[ie]s$/);
  assert.ok(m, `count line: ${JSON.stringify(t)}`);
  return [Number(m[1].replace(/,/g, '')), Number(m[2].replace(/,/g, ''))];
}

async function waitForCount(page, matching, total) {
  const want = `${matching.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} ${total === 1 ? 'analysis' : 'analyses'}`;
  await page.waitForFunction(
    (w) => document.querySelector('[data-testid=analyses-count]')?.textContent?.trim() === w,
    want,
    { timeout: TIMEOUT },
  ).catch(async (e) => {
    throw new Error(`count line never said ${JSON.stringify(want)}; it says ${JSON.stringify(await byId(page, 'analyses-count').textContent())}: ${e.message}`);
  });
}

/** Stops the page's (installed) clock: timers fire only when the test runs the clock. */
async function freeze(page) {
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
}

async function addDemo(page) {
  await byId(page, 'add-demo').click();
  await waitForCount(page, DEMO_COUNT, DEMO_COUNT);
}

const rowNames = (page) => page.$$eval('[data-testid=analysis-row] [data-testid=analysis-link]', (els) => els.map((e) => e.textContent.trim()));
const rowStatuses = (page) => page.$$eval('[data-testid=analysis-row]', (els) => els.map((e) => e.dataset.status));
const rowDates = (page, col) => page.$$eval(`[data-testid=analysis-row] [data-testid=${col}]`, (els) =>
  els.map((e) => { const t = e.querySelector('time'); return t ? Date.parse(t.getAttribute('datetime')) : null; }));

const lowerSorted = (xs, desc = false) => {
  const s = [...xs].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  return desc ? s.reverse() : s;
};

/**
 * A prescan export (StoreState of crates/core/src/analysis/store.rs, version 1)
 * with `n` analyses named "Generated analysis 00001"...: every third one
 * Completed - Results Available (one finished run), every third Scheduled (a
 * start time ahead), the rest Saved for Later.
 */
export function generatedExport(n, { now = Date.now(), prefix = 'Generated analysis' } = {}) {
  const HOUR = 3_600_000;
  const analyses = [];
  let id = 1;
  const width = String(n).length + 1;
  for (let i = 1; i <= n; i++) {
    const aid = id++;
    const sid = id++;
    const kind = i % 3;
    const created = now - (n - i + 10) * HOUR;
    const status = kind === 0 ? 'CompletedResultsAvailable' : kind === 1 ? 'Scheduled' : 'SavedForLater';
    const scanStatus = kind === 0 ? 'CompletedResultsAvailable' : kind === 1 ? 'Scheduled' : 'NotRun';
    const start = kind === 1 ? { At: now + (i + 24) * HOUR } : kind === 0 ? 'Now' : 'Unscheduled';
    const runs = kind === 0 ? [{
      number: 1, prescan: false, submitted_ms: created + HOUR, started_ms: created + HOUR + 60_000,
      deadline_ms: created + 9 * HOUR, ended_ms: created + 2 * HOUR, final_status: 'CompletedResultsAvailable',
      outcome: 'Succeeds', since_ms: created + 2 * HOUR, next_step_ms: null, paused_remaining_ms: null,
    }] : [];
    analyses.push({
      id: aid,
      name: `${prefix} ${String(i).padStart(width, '0')}`,
      status,
      has_verification_failures: false,
      scans: [{ id: sid, target: { Url: `https://app${i}.example.com/` }, status: scanStatus }],
      schedule: { start, duration: { Hours: 8 } },
      prescan: false,
      created_ms: created,
      created_by: 'Generator',
      modified_ms: created,
      modified_by: 'Generator',
      runs,
      demo: false,
    });
  }
  return { version: 1, next_id: id, analyses, activity: {}, specifications: [] };
}

async function importText(page, name, text) {
  await byId(page, 'import-analyses').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
}

test('an empty list says so and offers to create an analysis or add demo data', async () => {
  const page = await openList();
  await waitForCount(page, 0, 0);
  const empty = byId(page, 'analyses-empty');
  await empty.waitFor();
  assert.equal(await empty.getByRole('link', { name: 'Create an analysis' }).getAttribute('href'), '#/analyses/new');
  assert.equal(await byId(page, 'create-analysis').getAttribute('href'), '#/analyses/new');
  assert.equal(await byId(page, 'remove-demo').isDisabled(), true);
  await screenshot(page, 'analyses-empty');
  await byId(page, 'empty-add-demo').click();
  await waitForCount(page, DEMO_COUNT, DEMO_COUNT);
  assert.equal(await byId(page, 'analyses-empty').count(), 0);
  assert.equal(await page.locator('[data-testid=analysis-row]').count(), DEMO_COUNT);
  // Demo data is marked.
  assert.equal(await page.locator('[data-testid=analysis-row] [data-testid=demo-tag]').count(), DEMO_COUNT);
  // The table's structure.
  const table = byId(page, 'analyses-table');
  assert.match(await table.locator('caption').textContent(), /Dynamic Analyses.*sorted by name/);
  assert.deepEqual(await table.locator('thead th').evaluateAll((ths) => ths.map((th) => th.getAttribute('scope'))), Array(6).fill('col'));
  assert.equal(await table.locator('thead th[aria-sort]').count(), 1);
  assert.equal(await table.locator('thead th', { hasText: 'Name' }).getAttribute('aria-sort'), 'ascending');
  await screenshot(page, 'analyses-list');
});

test('every status can be filtered to; badges carry a label and an icon', async () => {
  const page = await openList('#/analyses', { clock: true });
  // Freeze time so that no demo run moves on while we look.
  await freeze(page);
  await addDemo(page);
  const filter = byId(page, 'analyses-filter');
  assert.equal(await page.locator('label[for=analyses-filter]').textContent(), 'Filter by Status');
  const labels = await filter.locator('option').allTextContents();
  assert.equal(labels[0], 'All statuses');
  assert.equal(labels.length, 24, 'All statuses + the 23 analysis statuses');
  for (const label of labels.slice(1)) {
    await filter.selectOption({ label });
    await page.waitForFunction(
      (l) => [...document.querySelectorAll('[data-testid=analysis-row]')].every((r) => r.dataset.status === l),
      label,
    );
    const [matching, total] = await counts(page);
    assert.equal(total, DEMO_COUNT);
    assert.ok(matching >= 1, `demo data has an analysis in ${label}`);
    const rows = page.locator('[data-testid=analysis-row]');
    assert.equal(await rows.count(), matching, `${label}: one row per match`);
    const badges = await rows.locator('[data-testid=status-badge]').evaluateAll((bs) => bs.map((b) => ({
      text: b.textContent.trim(), svg: b.querySelectorAll('svg').length, tone: b.dataset.tone,
    })));
    for (const b of badges) {
      assert.equal(b.text, label);
      assert.equal(b.svg, 1, `${label}: the badge has an icon`);
    }
    if (label === 'In Progress') {
      assert.equal(matching, 2, 'In Progress includes the warning-icon variant');
      assert.deepEqual(badges.map((b) => b.tone).sort(), ['in-progress', 'warning']);
    }
    assert.match(page.url(), new RegExp(`status=${encodeURIComponent(label).replace(/[()]/g, '\\$&')}`));
  }
  await filter.selectOption({ label: 'All statuses' });
  await waitForCount(page, DEMO_COUNT, DEMO_COUNT);
});

test('find by name (typing, Enter, the Find button) ignores case; the URL keeps find, filter and sort', async () => {
  const context = await app.newContext();
  const page = await openList('#/analyses', { context });
  await addDemo(page);
  const find = byId(page, 'analyses-find');
  assert.equal(await page.locator('label[for=analyses-find]').textContent(), 'Find');
  // Demo analyses are named after APIs (names without a status stay true).
  await find.pressSequentially('ca');
  await waitForCount(page, 2, DEMO_COUNT);
  assert.deepEqual(await rowNames(page), ['Demo - Catalog API', 'Demo - Notifications API']);
  await find.fill('ING');
  await find.press('Enter');
  await waitForCount(page, 4, DEMO_COUNT);
  await find.fill('ers');
  await byId(page, 'analyses-find-button').click();
  await waitForCount(page, 4, DEMO_COUNT);
  for (const n of await rowNames(page)) assert.match(n, /ers/i);
  // Filter and sort on top of find (statuses that stay put: no run moves
  // them on: Stopped - Deleting Results, Stopped - Technical Issue, Saved
  // for Later).
  await find.fill('ti');
  await byId(page, 'analyses-find-button').click();
  await waitForCount(page, 3, DEMO_COUNT);
  await byId(page, 'sort-name').click();
  const names = await rowNames(page);
  assert.deepEqual(names, lowerSorted(names, true));
  const hash = await page.evaluate(() => location.hash);
  assert.equal(hash, '#/analyses?q=ti&dir=desc');
  await byId(page, 'analyses-filter').selectOption({ label: 'Stopped - Technical Issue' });
  await waitForCount(page, 1, DEMO_COUNT);
  const shared = await page.evaluate(() => location.hash);
  assert.equal(shared, '#/analyses?q=ti&status=Stopped%20-%20Technical%20Issue&dir=desc');
  await waitUntilSaved(page, (v) => typeof v === 'string' && v.includes('Demo - Users API'));

  // Reload: same view.
  await page.reload();
  await listReady(page);
  await waitForCount(page, 1, DEMO_COUNT);
  assert.equal(await find.inputValue(), 'ti');
  assert.equal(await byId(page, 'analyses-filter').inputValue(), 'Stopped - Technical Issue');
  assert.deepEqual(await rowNames(page), ['Demo - Notifications API']);
  assert.equal(await page.locator('th[aria-sort=descending]').textContent().then((t) => t.trim().startsWith('Name')), true);

  // The same URL in a new page of the same browser: the same view.
  const other = await app.open({ path: shared, context, waitForApp: false });
  await listReady(other);
  await waitForCount(other, 1, DEMO_COUNT);
  assert.equal(await byId(other, 'analyses-find').inputValue(), 'ti');
  assert.deepEqual(await rowNames(other), ['Demo - Notifications API']);

  // A filter that matches nothing says so and can be cleared.
  await byId(other, 'analyses-find').fill('no such analysis');
  await waitForCount(other, 0, DEMO_COUNT);
  await byId(other, 'analyses-no-match').waitFor();
  assert.match(await byId(other, 'analyses-no-match').textContent(), /no such analysis/);
  await byId(other, 'clear-filters').click();
  await waitForCount(other, DEMO_COUNT, DEMO_COUNT);
  assert.equal(await byId(other, 'analyses-find').inputValue(), '');
  assert.equal(await byId(other, 'analyses-filter').inputValue(), '');
  // The sort is not a filter: it stays.
  assert.equal(await other.evaluate(() => location.hash), '#/analyses?dir=desc');
});

test('sorting by name, status, last run and next run, both ways', async () => {
  const page = await openList('#/analyses', { clock: true });
  await freeze(page);
  await addDemo(page);
  const ariaSort = (label) => page.locator('thead th', { hasText: label }).getAttribute('aria-sort');

  let names = await rowNames(page);
  assert.deepEqual(names, lowerSorted(names));
  await byId(page, 'sort-name').click();
  assert.equal(await ariaSort('Name'), 'descending');
  names = await rowNames(page);
  assert.deepEqual(names, lowerSorted(names, true));

  await byId(page, 'sort-status').click();
  assert.equal(await ariaSort('Status'), 'ascending');
  assert.equal(await ariaSort('Name'), null);
  let statuses = await rowStatuses(page);
  assert.deepEqual(statuses, [...statuses].sort());
  await byId(page, 'sort-status').click();
  statuses = await rowStatuses(page);
  assert.deepEqual(statuses, [...statuses].sort().reverse());

  // Last run starts with the latest, Next run with the soonest.
  for (const [button, col, label, first] of [['sort-last', 'last-run', 'Last run', true], ['sort-next', 'next-run', 'Next run', false]]) {
    for (const desc of [first, !first]) {
      await byId(page, button).click();
      assert.equal(await ariaSort(label), desc ? 'descending' : 'ascending');
      const dates = await rowDates(page, col);
      const known = dates.filter((d) => d !== null);
      assert.ok(known.length >= 1, `${label}: some analyses have a date`);
      // Analyses without a date come last either way.
      assert.deepEqual(dates.slice(0, known.length), known, `${label}: dated rows first`);
      const sorted = [...known].sort((a, b) => a - b);
      assert.deepEqual(known, desc ? sorted.reverse() : sorted, `${label} ${desc ? 'descending' : 'ascending'}`);
    }
  }
  // Dates are written for people; a missing one is a dash.
  const cells = await page.locator('[data-testid=analysis-row] [data-testid=next-run]').allTextContents();
  assert.ok(cells.includes('—'));
  assert.ok(cells.some((c) => /\d/.test(c) && !/T\d\d:/.test(c)), `a readable date: ${cells.join(' | ')}`);
  assert.match(await page.evaluate(() => location.hash), /sort=next&dir=desc/);
});

test('a status changes on screen without a reload; find text, filter and focus stay', async () => {
  const page = await openList('#/analyses', { clock: true });
  await freeze(page);
  await addDemo(page);
  const find = byId(page, 'analyses-find');
  await find.click();
  // The demo analysis that starts Submitted (the engine moves it on).
  await find.pressSequentially('demo - reports');
  await waitForCount(page, 1, DEMO_COUNT);
  const row = page.locator('[data-testid=analysis-row]');
  assert.equal(await row.getAttribute('data-status'), 'Submitted');
  const badge = row.locator('[data-testid=status-badge]');
  assert.equal((await badge.textContent()).trim(), 'Submitted');
  // Mark the row element: it must be the same element afterwards (updated in place).
  await row.evaluate((tr) => { tr.__marker = 'kept'; });
  const findTop = () => find.evaluate((e) => e.getBoundingClientRect().top);
  await page.evaluate(() => window.scrollTo(0, 120));
  const topBefore = await findTop();

  await page.clock.runFor('00:30');
  await page.waitForFunction(() => document.querySelector('[data-testid=analysis-row]')?.dataset.status !== 'Submitted', null, { timeout: TIMEOUT });
  const after = (await badge.textContent()).trim();
  assert.notEqual(after, 'Submitted');
  assert.equal(await row.evaluate((tr) => tr.__marker), 'kept', 'the row was updated, not re-created');
  assert.equal(await find.inputValue(), 'demo - reports');
  assert.equal(await byId(page, 'analyses-filter').inputValue(), '');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'analyses-find');
  // The Find box has not moved on screen (notifications above it may have
  // grown the page: the browser keeps the scroll anchored).
  assert.ok(Math.abs((await findTop()) - topBefore) < 3, `Find box moved from ${topBefore} to ${await findTop()}`);
  assert.ok((await page.evaluate(() => window.scrollY)) > 0, 'not scrolled back to the top');
  await waitForCount(page, 1, DEMO_COUNT);
});

test('analyses persist across reloads (IndexedDB); removing demo data removes them', async () => {
  const context = await app.newContext();
  const page = await openList('#/analyses', { context });
  await addDemo(page);
  await waitUntilSaved(page, (v) => typeof v === 'string' && JSON.parse(v).analyses.length === DEMO_COUNT);
  await page.reload();
  await listReady(page);
  await waitForCount(page, DEMO_COUNT, DEMO_COUNT);
  await byId(page, 'remove-demo').click();
  await waitForCount(page, 0, 0);
  await byId(page, 'analyses-empty').waitFor();
  assert.match(await byId(page, 'data-result').textContent(), /Removed 24 demo analyses/);
  await waitUntilSaved(page, (v) => typeof v === 'string' && JSON.parse(v).analyses.length === 0);
  await page.reload();
  await listReady(page);
  await waitForCount(page, 0, 0);
});

test('export downloads the analyses; import brings them back; a broken file changes nothing', async () => {
  const page = await openList();
  await addDemo(page);
  const { name, bytes } = await download(page, 'export-analyses');
  assert.match(name, /^prescan-analyses-\d{4}-\d\d-\d\d\.json$/);
  const exported = JSON.parse(bytes.toString('utf8'));
  assert.equal(exported.version, 1);
  assert.equal(exported.analyses.length, DEMO_COUNT);
  assert.ok(exported.analyses.some((a) => a.name === 'Demo - Users API'));
  assert.match(await byId(page, 'data-result').textContent(), /Credentials .* left out/);

  await byId(page, 'remove-demo').click();
  await waitForCount(page, 0, 0);
  // The store is empty: no question asked.
  await importText(page, name, bytes);
  await byId(page, 'import-result').filter({ hasText: 'Imported' }).waitFor();
  assert.match(await byId(page, 'import-result').textContent(), /Imported 24 analyses from prescan-analyses-/);
  await waitForCount(page, DEMO_COUNT, DEMO_COUNT);

  // Broken files: a clear message, nothing changed, no question asked.
  page.on('dialog', (d) => assert.fail(`unexpected dialog: ${d.message()}`));
  for (const [file, text, says] of [
    ['broken.json', '{ "version": 1, "analyses": [', /not valid JSON/],
    ['other.json', '{"hello": "world"}', /not a prescan export/],
    ['future.json', '{"version": 99}', /another version/],
  ]) {
    await importText(page, file, text);
    const result = byId(page, 'import-result');
    await result.filter({ hasText: file }).waitFor();
    assert.equal(await result.getAttribute('role'), 'alert');
    assert.match(await result.textContent(), says);
    assert.match(await result.textContent(), /unchanged/);
    await waitForCount(page, DEMO_COUNT, DEMO_COUNT);
  }
  await screenshot(page, 'analyses-import-error');
  page.removeAllListeners('dialog');

  // Importing over analyses asks first; declining changes nothing.
  const small = JSON.stringify(generatedExport(3));
  page.once('dialog', (d) => {
    assert.equal(d.type(), 'confirm');
    assert.match(d.message(), /replaces the 24 analyses .* with the 3 analyses/);
    d.dismiss();
  });
  await importText(page, 'three.json', small);
  await byId(page, 'import-result').filter({ hasText: 'cancelled' }).waitFor();
  await waitForCount(page, DEMO_COUNT, DEMO_COUNT);
  page.once('dialog', (d) => d.accept());
  await importText(page, 'three.json', small);
  await byId(page, 'import-result').filter({ hasText: 'Imported 3 analyses' }).waitFor();
  await waitForCount(page, 3, 3);
});

test('unreadable storage: the banner explains, the saved text downloads as it was, nothing is overwritten until "Start fresh"', async () => {
  const page = await openList();
  const garbage = 'this is not JSON {{ \u00e9 \u2603';
  await page.evaluate((text) => new Promise((resolve, reject) => {
    const open = indexedDB.open('prescan');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('state', 'readwrite');
      tx.objectStore('state').put(text, 'analyses');
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), garbage);
  await page.reload();
  const banner = byId(page, 'storage-unreadable');
  await banner.waitFor();
  assert.equal(await banner.getAttribute('role'), 'alert');
  assert.match(await banner.textContent(), /could not be read/);
  await byId(page, 'analyses-unreadable').waitFor();
  // Time passes (the engine ticks): nothing is written.
  await page.waitForTimeout(1500);
  assert.equal(await storedAnalyses(page), garbage);
  const { bytes } = await download(page, 'storage-download');
  assert.equal(bytes.toString('utf8'), garbage);
  assert.equal(await storedAnalyses(page), garbage);
  await screenshot(page, 'analyses-unreadable');
  await byId(page, 'storage-start-fresh').click();
  await byId(page, 'analyses-empty').waitFor();
  await waitForCount(page, 0, 0);
  assert.equal(await byId(page, 'storage-unreadable').count(), 0);
  await waitUntilSaved(page, (v) => typeof v === 'string' && JSON.parse(v).analyses.length === 0);
});

test('more than 100 analyses are paged (Previous / Next, "Page X of Y"), and the page is in the URL', async () => {
  const page = await openList();
  await importText(page, 'generated-250.json', JSON.stringify(generatedExport(250)));
  await byId(page, 'import-result').filter({ hasText: 'Imported 250 analyses' }).waitFor();
  await waitForCount(page, 250, 250);
  const rows = page.locator('[data-testid=analysis-row]');
  assert.equal(await rows.count(), 100);
  assert.equal((await byId(page, 'page-info').textContent()).trim(), 'Page 1 of 3');
  assert.equal(await byId(page, 'page-prev').isDisabled(), true);
  assert.equal((await rowNames(page))[0], 'Generated analysis 0001');
  await byId(page, 'page-next').click();
  await byId(page, 'page-info').filter({ hasText: 'Page 2 of 3' }).waitFor();
  assert.equal((await rowNames(page))[0], 'Generated analysis 0101');
  assert.equal(await rows.count(), 100);
  await byId(page, 'page-next').click();
  await byId(page, 'page-info').filter({ hasText: 'Page 3 of 3' }).waitFor();
  assert.equal(await rows.count(), 50);
  assert.equal(await byId(page, 'page-next').isDisabled(), true);
  assert.equal((await rowNames(page)).at(-1), 'Generated analysis 0250');
  assert.match(await page.evaluate(() => location.hash), /page=3/);
  await waitUntilSaved(page, (v) => typeof v === 'string' && v.includes('Generated analysis 0250'));
  await page.reload();
  await listReady(page);
  await byId(page, 'page-info').filter({ hasText: 'Page 3 of 3' }).waitFor();
  assert.equal((await rowNames(page))[0], 'Generated analysis 0201');
  await byId(page, 'page-prev').click();
  await byId(page, 'page-info').filter({ hasText: 'Page 2 of 3' }).waitFor();
  // Filtering goes back to the first page; a filter with fewer than 101 matches has no pager.
  await byId(page, 'analyses-filter').selectOption({ label: 'Scheduled' });
  await waitForCount(page, 84, 250);
  assert.equal(await byId(page, 'page-info').count(), 0);
  assert.equal(await rows.count(), 84);
  await byId(page, 'analyses-find').fill('analysis 02');
  await waitForCount(page, 17, 250);
});
