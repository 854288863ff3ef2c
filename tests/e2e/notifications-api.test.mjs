// Notifications in API mode: the app's poller (src/store/feed.rs) shows the
// reference server's notifications (GET /api/v1/notifications?after=) in the
// app, once: a reload or a new visit does not show them again, and a first
// visit does not show those sent before it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, TIMEOUT } from './helpers.mjs';
import { useRefServer } from './refserver.mjs';

const TOKEN = 'e2e-token-notify';
const PUBLISHED = 'The results of a Dynamic Analysis are published.';

const rig = useRefServer({ token: TOKEN });
const newContext = () => rig.newContext();
const open = (context, sub = '#/analyses') => rig.open(sub, { context });

const cursorKey = () => `prescan.api.notifications.${rig.server.origin}`;

/** Waits until the poller has talked to the server (its cursor is kept). */
async function connected(page) {
  await page.waitForFunction((key) => localStorage.getItem(key) !== null, cursorKey(), { timeout: TIMEOUT });
  return Number(await page.evaluate((key) => localStorage.getItem(key), cursorKey()));
}

async function createRunningNow(name) {
  const r = await rig.server.api('POST', '/analyses', {
    name,
    scans: [{ target: { type: 'url', url: 'https://example.com/' } }],
    schedule: { start: { type: 'now' }, duration: { unit: 'days', value: 1 } },
    prescan: false,
    permission_certified: true,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const notifications = (page) => page.getByTestId('notification');

describe('notifications from the server', () => {
  it('a run published on the server shows "results are published" in the app, once', async () => {
    const context = await newContext();
    const page = await open(context);
    await page.getByTestId('analyses-empty').or(page.getByTestId('analyses-table')).first().waitFor();
    const start = await connected(page);
    assert.equal(await notifications(page).count(), 0);

    const analysis = await createRunningNow('Notified nightly run');
    // The fast engine publishes a run in about 12 s; the poller asks every 5 s.
    const toast = notifications(page).filter({ hasText: PUBLISHED }).filter({ hasText: 'Notified nightly run' });
    await toast.waitFor({ timeout: 60_000 });
    assert.equal(await toast.count(), 1, 'shown once');
    assert.equal(
      await toast.getByRole('link').getAttribute('href'),
      `#/analyses/${analysis.analysis_id}`,
    );
    const listed = await rig.server.api('GET', `/notifications?after=${start}`);
    const published = listed.json.notifications.find((n) => n.kind === 'RESULTS_PUBLISHED' && n.analysis_id === analysis.analysis_id);
    assert.ok(published, listed.text);
    await page.waitForFunction(([key, id]) => Number(localStorage.getItem(key)) >= id, [cursorKey(), published.notification_id]);
    await screenshot(page, 'notification-api');

    // A reload does not show it again (the poller goes on from where it was).
    await page.reload();
    await page.getByTestId('analyses-table').waitFor();
    await page.waitForTimeout(7_000);
    assert.equal(await notifications(page).count(), 0, 'nothing shown again after a reload');
    assert.deepEqual(page.watched.problems(), []);
  });

  it('a first visit starts after the server\'s latest notification', async () => {
    const latest = (await rig.server.api('GET', '/notifications?after=0')).json.latest_notification_id;
    assert.ok(latest > 0, 'the server has notifications already');
    const page = await open(await newContext());
    await page.getByTestId('analyses-table').waitFor();
    assert.equal(await connected(page), latest);
    await page.waitForTimeout(6_000);
    assert.equal(await notifications(page).count(), 0, 'old notifications are not news');
    assert.deepEqual(page.watched.problems(), []);
  });
});
