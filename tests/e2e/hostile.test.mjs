// Hostile specifications in the app: each ends with a message on screen well
// within 15 s (the core's budgets name the limit that was reached; a
// conversion that still ran on would be ended at its deadline), the page stays
// usable, what was loaded before stays, and the next good file converts in a
// fresh converter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  useApp, loadSample, specShown, uploadBuffer, waitForError, text, count, makeSpec, screenshot,
} from './helpers.mjs';

const app = useApp();

/** Uploads a good file and waits until it is the one shown. */
async function goodFileConverts(page, title = 'After API') {
  await uploadBuffer(page, 'after.json', JSON.stringify(makeSpec(2, { title })), 'application/json');
  await page.getByTestId('spec-title').filter({ hasText: title }).waitFor();
  await specShown(page);
  assert.equal(await count(page, 'endpoint-count'), 2);
}

describe('hostile files', () => {
  it('a conversion past its deadline is stopped, says why, and the next file gets a fresh converter', async () => {
    const page = await app.open();
    await loadSample(page);
    const title = await text(page, 'spec-title');
    // A real conversion that takes longer than a deadline shortened for the
    // test (localStorage prescan.debug deadline=N ms).
    await page.evaluate(() => localStorage.setItem('prescan.debug', 'deadline=40'));
    await uploadBuffer(page, 'slow.json', JSON.stringify(makeSpec(4000, { title: 'Slow API' })), 'application/json');
    const error = await waitForError(page);
    const message = (await error.textContent()).replace(/\s+/g, ' ');
    assert.match(message, /slow\.json/, message);
    assert.match(message, /conversion deadline/, message);
    assert.match(message, /Nothing you had is lost/, message);
    // What was loaded stays.
    assert.equal(await text(page, 'spec-title'), title);
    assert.ok(await page.getByTestId('endpoints-table').isVisible());
    await screenshot(page, 'hostile-deadline');
    // A fresh converter, with the normal deadline, converts the next file.
    await page.evaluate(() => localStorage.removeItem('prescan.debug'));
    await goodFileConverts(page);
    await page.getByTestId('load-error').waitFor({ state: 'hidden' });
  });
});
