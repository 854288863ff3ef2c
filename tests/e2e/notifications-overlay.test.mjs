// Issue 15, item 4: notifications stay out of the way. One overlay region
// (aria-live) over the page instead of above its content; at most three
// visible, newest first; a later outcome of the same event replaces the
// earlier; repeats are merged; Dismiss all.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, screenshot, SAMPLE, TIMEOUT, pauseClock } from './helpers.mjs';
import { freePort, startPrism } from './prism.mjs';
import { nameWithOutcome } from './simulation.mjs';

const app = useApp();

const toasts = (page) => page.getByTestId('notification');

/** Creates an analysis of the sample specification, saved for later (the
 * engine leaves it alone), and opens its Prescan Details. */
async function createForPrescan(page, name) {
  await page.goto(page.url().replace(/#.*$/, '#/analyses/new'));
  await page.getByTestId('new-name').waitFor();
  await page.getByTestId('new-spec-file').setInputFiles(SAMPLE);
  await page.getByTestId('new-name').fill(name);
  await page.getByTestId('new-start-later').check();
  await page.getByTestId('new-permission').check();
  await page.getByTestId('new-submit').click();
  await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor();
  await page.getByTestId('view-prescan').first().click();
  await page.getByTestId('prescan-base-url').waitFor();
}

/** Runs a prescan and waits until it ended (the test then waits for
 * what it expects of the notifications). */
async function prescan(page, baseUrl) {
  await page.getByTestId('prescan-base-url').fill(baseUrl);
  await page.getByTestId('prescan-run').click();
  await page.waitForTimeout(300);
  await page.getByTestId('prescan-status').filter({ hasText: /Prescan (Succeeded|Failed)/ }).waitFor({ timeout: TIMEOUT });
}

describe('Issue 15 item 4: notifications', () => {
  let prism;
  before(async () => { prism = await startPrism(SAMPLE); });
  after(async () => { await prism?.stop(); });

  it('appear in an overlay that does not move the page, in a polite live region', async () => {
    const context = await app.newContext();
    await pauseClock(context);
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    await page.getByTestId('new-name').waitFor();
    const name = nameWithOutcome('Overlay run', 'Succeeds');
    await page.getByTestId('new-name').fill(name);
    await page.getByTestId('new-urls').fill('https://example.com/');
    await page.getByTestId('new-start-now').check();
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor();
    const top = async () => (await page.getByTestId('analysis-name').boundingBox()).y;
    const before = await top();
    await page.clock.runFor(15_000);
    await toasts(page).first().waitFor();
    assert.equal(await top(), before, 'the page title did not move');
    const region = page.getByTestId('notifications-region');
    assert.equal(await region.evaluate((e) => getComputedStyle(e).position), 'fixed');
    assert.equal(await page.getByTestId('notifications').getAttribute('aria-live'), 'polite');
    // It sits over the page's corner, not across the content's top.
    const box = await region.boundingBox();
    const viewport = page.viewportSize();
    assert.ok(box.y + box.height <= viewport.height + 1 && box.y > viewport.height / 2, JSON.stringify(box));
    await screenshot(page, 'notifications-overlay');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'notifications-overlay-mobile');
  });

  it('show at most three, say how many more, and can be dismissed all at once', async () => {
    const context = await app.newContext();
    await pauseClock(context);
    const page = await app.open({ path: '#/analyses', context, waitForApp: false });
    await page.getByTestId('empty-add-demo').click();
    await page.getByTestId('analysis-row').first().waitFor();
    // The demo's runs under way end: many notifications.
    await page.clock.runFor(120_000);
    await page.getByTestId('notifications-more').waitFor();
    assert.equal(await toasts(page).count(), 3);
    const more = Number((await page.getByTestId('notifications-more').textContent()).match(/\d+/)[0]);
    assert.ok(more >= 1, `${more} more`);
    await page.getByTestId('notifications-dismiss-all').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=notification]').length === 0);
    assert.equal(await page.getByTestId('notifications-more').count(), 0);
  });

  it('a later outcome of the same prescan replaces the earlier, repeats are merged, newest first', async () => {
    const context = await app.newContext();
    const page = await app.open({ path: '#/analyses', context, waitForApp: false });
    page.allowErrors(/Failed to load resource/);
    const refused = `http://127.0.0.1:${await freePort()}`;

    await createForPrescan(page, 'Overlay prescan one');
    await prescan(page, refused);
    await toasts(page).first().waitFor();
    await page.getByTestId('prescan-run').waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('[data-testid=prescan-run]')?.disabled);
    await prescan(page, refused);
    // The same failure twice: one notification, counted.
    await page.getByTestId('notification-count').filter({ hasText: '×2' }).waitFor();
    assert.equal(await toasts(page).count(), 1);
    assert.match(await toasts(page).first().textContent(), /prescan of a Dynamic Analysis failed/);
    // Then it succeeds: the success replaces the failure.
    await page.waitForFunction(() => !document.querySelector('[data-testid=prescan-run]')?.disabled);
    await prescan(page, prism.url);
    await toasts(page).filter({ hasText: 'The prescan of a Dynamic Analysis succeeded.' }).waitFor();
    assert.equal(await toasts(page).count(), 1, 'failed and succeeded never show together for one prescan');
    assert.equal(await toasts(page).first().getAttribute('data-simulated'), 'false', 'a real prescan is not simulated');

    // Another analysis's prescan: a second notification, shown first.
    await createForPrescan(page, 'Overlay prescan two');
    await prescan(page, refused);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=notification]').length === 2);
    const texts = await toasts(page).allTextContents();
    assert.match(texts[0], /Overlay prescan two/);
    assert.match(texts[1], /Overlay prescan one/);
  });
});
