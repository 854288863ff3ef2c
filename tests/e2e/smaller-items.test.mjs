// Issue 15, item 10 (the analyses and Settings parts): the browser
// notifications switch says why when the browser refuses; file inputs look
// like the app's buttons; sorting by Last run starts with the latest; "Added
// N demo analyses" is in view. (Settings no longer sends the person to
// Settings: settings.test.mjs, the 401 case.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, screenshot } from './helpers.mjs';

const app = useApp();

/** Whether an element's box is inside the viewport. */
async function inView(page, locator) {
  const box = await locator.boundingBox();
  const { height, width } = page.viewportSize();
  return box !== null && box.y >= 0 && box.y + box.height <= height && box.x >= 0 && box.x + box.width <= width;
}

describe('Issue 15 item 10: smaller items', () => {
  it('when the browser blocks notifications, the switch says what to do instead of vanishing', async () => {
    const context = await app.newContext();
    await context.addInitScript(() => {
      class BlockedNotification {
        static permission = 'denied';
        static requestPermission() { return Promise.resolve('denied'); }
        constructor() { throw new Error('blocked'); }
      }
      window.Notification = BlockedNotification;
    });
    const page = await app.open({ path: '#/analyses', context, waitForApp: false });
    const state = page.getByTestId('browser-notifications-state');
    await state.waitFor();
    assert.equal(await state.getAttribute('data-state'), 'denied');
    assert.match(await state.textContent(), /blocks notifications.*allow notifications for this site/);
    assert.equal(await page.getByTestId('enable-browser-notifications').count(), 0);
  });

  it('a refused request leaves the explanation on screen', async () => {
    const context = await app.newContext();
    await context.addInitScript(() => {
      class AskingNotification {
        static permission = 'default';
        static requestPermission() {
          AskingNotification.permission = 'denied';
          return Promise.resolve('denied');
        }
      }
      window.Notification = AskingNotification;
    });
    const page = await app.open({ path: '#/analyses', context, waitForApp: false });
    await page.getByTestId('enable-browser-notifications').click();
    const state = page.getByTestId('browser-notifications-state');
    await state.waitFor();
    assert.equal(await state.getAttribute('data-state'), 'denied');
  });

  it('the file inputs of Create and Import look like the app\'s buttons', async () => {
    const context = await app.newContext();
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    const look = (id) => page.getByTestId(id).evaluate((input) => {
      const b = getComputedStyle(input, '::file-selector-button');
      return { border: b.borderTopColor, color: b.color, background: b.backgroundColor, radius: b.borderTopLeftRadius };
    });
    await page.getByTestId('new-spec-file').waitFor();
    const secondary = await page.locator('a.button--secondary').first().evaluate((a) => {
      const s = getComputedStyle(a);
      return { border: s.borderTopColor, color: s.color, background: s.backgroundColor, radius: s.borderTopLeftRadius };
    });
    assert.deepEqual(await look('new-spec-file'), secondary, 'Create: like a secondary button');
    await page.goto(page.url().replace(/#.*$/, '#/analyses'));
    await page.getByTestId('import-analyses').waitFor({ state: 'attached' });
    assert.deepEqual(await look('import-analyses'), secondary, 'Import: like a secondary button');
  });

  it('sorting by Last run starts with the latest', async () => {
    const context = await app.newContext();
    const page = await app.open({ path: '#/analyses', context, waitForApp: false });
    await page.getByTestId('empty-add-demo').click();
    await page.getByTestId('analysis-row').first().waitFor();
    await page.getByTestId('sort-last').click();
    await page.waitForFunction(() => /sort=last/.test(location.hash));
    await page.waitForTimeout(300);
    const times = await page.getByTestId('last-run').evaluateAll((cells) => cells
      .map((c) => c.querySelector('time')?.getAttribute('datetime'))
      .filter(Boolean)
      .map((t) => Date.parse(t)));
    assert.ok(times.length > 2, 'demo analyses have run');
    const latest = Math.max(...times);
    assert.equal(times[0], latest, 'the first row is the latest run');
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });

  it('"Added N demo analyses" is shown where the person can see it', async () => {
    const context = await app.newContext();
    const page = await app.open({ path: '#/analyses', context, waitForApp: false });
    await page.getByTestId('add-demo').scrollIntoViewIfNeeded();
    await page.getByTestId('add-demo').click();
    const result = page.getByTestId('data-result').filter({ hasText: /Added \d+ demo analyses/ });
    await result.waitFor();
    await page.waitForTimeout(400);
    assert.ok(await inView(page, result), 'the message is in view after the rows pushed it down');
    await screenshot(page, 'analyses-demo-added');
  });
});
