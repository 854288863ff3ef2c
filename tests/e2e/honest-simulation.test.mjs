// Issue 15, item 2: the simulation is honest. A real prescan decides its
// run's prescan and the simulated engine never announces the opposite;
// whatever the simulated engine sets says "Simulated" (status, notification,
// activity log, the Create form); a published simulated run shows a results
// summary that says it is simulated; demo analyses' names stay true.
//
// Names are picked by the fate the engine gives them (simulation.mjs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, text, screenshot, SAMPLE, TIMEOUT, pauseClock } from './helpers.mjs';
import { freePort } from './prism.mjs';
import { nameWithOutcome, recordToasts } from './simulation.mjs';

const app = useApp();

async function waitStatus(page, label) {
  await page.getByTestId('analysis-status').getByTestId('status-badge')
    .filter({ hasText: new RegExp(`^\\s*${label.replace(/[-]/g, '\\-')}\\s*$`) })
    .waitFor({ timeout: 40_000 });
}

describe('Issue 15 item 2: the simulation is honest', () => {
  it('a failed real prescan is never followed by a "succeeded" notification', async () => {
    const context = await app.newContext();
    await recordToasts(context);
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    page.allowErrors(/Failed to load resource/);
    // Left alone, the engine would make this run's prescan succeed.
    const name = nameWithOutcome('Real prescan decides', 'Succeeds');
    await page.getByTestId('new-name').waitFor();
    await page.getByTestId('new-spec-file').setInputFiles(SAMPLE);
    await page.getByTestId('new-name').fill(name);
    await page.getByTestId('new-start-now').check();
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor();
    const summaryUrl = page.url();

    // The real prescan, while the run is Submitted or Prescanning, against a
    // port nobody listens on: every request fails.
    await page.getByTestId('view-prescan').first().click();
    await page.getByTestId('prescan-base-url').fill(`http://127.0.0.1:${await freePort()}`);
    await page.getByTestId('prescan-run').click();
    await page.getByTestId('prescan-status').filter({ hasText: /Prescan Failed/ }).waitFor({ timeout: TIMEOUT });

    // The engine's prescan step (13 s after the submission) comes and goes.
    await page.goto(summaryUrl);
    await page.waitForFunction(() => {
      const s = document.querySelector('[data-testid=analysis-status] [data-testid=status-badge]')?.textContent.trim();
      return s && s !== 'Submitted' && s !== 'Prescanning';
    }, null, { timeout: 40_000 });
    await page.waitForTimeout(1_000);
    const toasts = await page.evaluate(() => window.__toasts);
    assert.ok(toasts.some((t) => /prescan of a Dynamic Analysis failed/.test(t)), JSON.stringify(toasts));
    assert.ok(
      !toasts.some((t) => /prescan of a Dynamic Analysis succeeded/.test(t)),
      `a failed real prescan was followed by "succeeded": ${JSON.stringify(toasts)}`,
    );
    await waitStatus(page, 'All Verifications Failed');
    assert.equal(await text(page, 'detail-prescan-result'), 'Failed (real prescan)');
    assert.equal(await page.getByTestId('status-simulated').count(), 0, 'a real prescan decided this status');
    const log = await page.getByTestId('activity-row').allTextContents();
    assert.ok(!log.some((row) => /succeeded/.test(row)), log.join('\n'));
    assert.ok(log.some((row) => /real prescan failed/.test(row)), log.join('\n'));
  });

  it('what the simulated engine sets says Simulated; a published run shows a simulated results summary', async () => {
    const context = await app.newContext();
    await pauseClock(context);
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    await page.getByTestId('new-name').waitFor();
    // Create says so before anything is submitted.
    assert.match(await text(page, 'new-simulated-note'), /simulated scan engine/);
    const name = nameWithOutcome('Honest run', 'Succeeds');
    await page.getByTestId('new-name').fill(name);
    await page.getByTestId('new-urls').fill('https://example.com/');
    await page.getByTestId('new-start-now').check();
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor();

    // Submitted: the status, its title and the note say Simulated.
    await page.getByTestId('status-simulated').waitFor();
    const title = await page.getByTestId('analysis-status').getByTestId('status-badge').getAttribute('title');
    assert.match(title, /Simulated/);
    assert.match(await text(page, 'simulation-note'), /^Simulated: /);

    await page.clock.runFor(15_000);
    const toast = page.getByTestId('notification').filter({ hasText: 'The prescan of a Dynamic Analysis succeeded.' });
    await toast.waitFor();
    await toast.getByTestId('simulated-tag').waitFor();
    assert.equal(await text(page, 'detail-prescan-result'), 'Succeeded (simulated)');

    await page.clock.runFor(75_000);
    await waitStatus(page, 'Published - Results Available');
    const summary = await text(page, 'results-summary');
    assert.match(summary, /Simulated results: no findings/);
    assert.equal(await text(page, 'results-findings'), 'None (simulated)');
    // The engine's log entries carry the label; the person's do not.
    const rows = page.getByTestId('activity-row');
    for (let i = 0; i < await rows.count(); i++) {
      const row = rows.nth(i);
      const who = (await row.getByTestId('activity-who').textContent()).trim();
      const tagged = await row.locator('.tag--simulated').count();
      assert.equal(tagged > 0, who === 'System', `${who}: ${await row.textContent()}`);
    }
    await screenshot(page, 'honest-published');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'honest-published-mobile');
  });

  it('demo analyses keep names that are true as the engine moves them', async () => {
    const context = await app.newContext();
    await pauseClock(context);
    const page = await app.open({ path: '#/analyses', context, waitForApp: false });
    await page.getByTestId('empty-add-demo').click();
    await page.getByTestId('analysis-row').first().waitFor();
    const names = async () => page.getByTestId('analysis-row').evaluateAll((rows) => rows.map((r) => ({
      name: r.querySelector('[data-testid=analysis-link]').textContent.trim(),
      status: r.dataset.status,
    })));
    const statuses = new Set((await names()).map((r) => r.status));
    assert.ok(statuses.size >= 10, 'the demo shows many statuses');
    const check = (rows) => {
      for (const { name, status } of rows) {
        assert.ok(!name.includes(status), `${name} is ${status}`);
        for (const s of statuses) assert.ok(!name.includes(s), `${name} names a status (${s})`);
      }
    };
    check(await names());
    await page.clock.runFor(120_000);
    await page.waitForTimeout(500);
    check(await names());
  });
});
