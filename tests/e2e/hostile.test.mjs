// Hostile specifications in the app: each ends with a message on screen well
// within 15 s (the core's budgets name the limit that was reached; a
// conversion that still ran on would be ended at its deadline), the page stays
// usable, what was loaded before stays, and the next good file converts in a
// fresh converter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  SCREENSHOTS, useApp, loadSample, specShown, uploadBuffer, waitForError, text, count, makeSpec, screenshot,
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

  it('a YAML file whose aliases repeat a large string is refused with the limit it reached', async () => {
    const page = await app.open();
    await loadSample(page);
    const title = await text(page, 'spec-title');
    // 1 MiB anchored once and referenced 300 times: 300 MiB once expanded.
    const yaml = [
      'openapi: 3.0.3',
      "info: {title: Aliases, version: '1'}",
      `x-big: &b ${'x'.repeat(1 << 20)}`,
      'paths:',
      '  /a:',
      '    post:',
      '      requestBody:',
      '        content:',
      '          application/json:',
      `            example: [${Array(300).fill('*b').join(', ')}]`,
      "      responses: {'200': {description: ok}}",
      '',
    ].join('\n');
    await uploadBuffer(page, 'aliases.yaml', yaml, 'application/yaml');
    const error = await waitForError(page);
    const message = (await error.textContent()).replace(/\s+/g, ' ');
    assert.match(message, /aliases\.yaml/, message);
    assert.match(message, /limit `expanded_bytes` = 256 MiB/, message);
    assert.match(message, /line 3, column 8/, message);
    assert.equal(await text(page, 'spec-title'), title, 'what was loaded stays');
    await screenshot(page, 'hostile-aliases');
    await goodFileConverts(page, 'After aliases');
  });

  it('nested minItems convert within their budget, and the notes name the limits', async () => {
    const page = await app.open();
    let schema = { type: 'string', minLength: 100 };
    for (let i = 0; i < 6; i += 1) schema = { type: 'array', minItems: 1000, items: schema };
    const spec = {
      openapi: '3.0.3',
      info: { title: 'Nested arrays', version: '1' },
      servers: [{ url: 'https://api.example.com' }],
      paths: { '/a': { post: { requestBody: { content: { 'application/json': { schema } } }, responses: { 200: { description: 'ok' } } } } },
    };
    const bytes = JSON.stringify(spec);
    assert.ok(bytes.length < 600, `${bytes.length} bytes`);
    await uploadBuffer(page, 'nested.json', bytes, 'application/json');
    await page.getByTestId('spec-title').filter({ hasText: 'Nested arrays' }).waitFor();
    await specShown(page);
    const notes = (await page.getByTestId('diagnostics').textContent()).replace(/\s+/g, ' ');
    assert.match(notes, /limit array_items = 32/, notes);
    assert.match(notes, /limit value_bytes = 4 MiB/, notes);
    assert.match(notes, /asks for 1,000 items/, notes);
    await screenshot(page, 'hostile-nested-arrays');
    await goodFileConverts(page, 'After nested arrays');
  });

  it('a file with thousands of notes shows the first 200 and more on request, and stays usable', async () => {
    const page = await app.open();
    const paths = {};
    for (let i = 0; i < 3000; i += 1) {
      paths[`/p${i}`] = { get: { parameters: [{ name: 'x', in: 'nowhere' }], responses: { 200: { description: 'ok' } } } };
    }
    const spec = { openapi: '3.0.3', info: { title: 'Many notes', version: '1' }, servers: [{ url: 'https://api.example.com' }], paths };
    await uploadBuffer(page, 'notes.json', JSON.stringify(spec), 'application/json');
    await page.getByTestId('spec-title').filter({ hasText: 'Many notes' }).waitFor();
    await specShown(page);
    assert.match(await text(page, 'diagnostics'), /3,000 errors/);
    assert.equal(await page.getByTestId('diagnostic').count(), 200);
    const more = page.getByTestId('diagnostics-more');
    assert.match(await more.textContent(), /Show 1,000 more/);
    await more.click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="diagnostic"]').length === 1200);
    assert.match(await page.locator('.diagnostics__more').textContent(), /Showing 1,200 of 3,000/);
    // The viewport around the button (a full-page picture would be 1,200 notes tall).
    await page.locator('.diagnostics__more').scrollIntoViewIfNeeded();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'hostile-many-notes.png') });
    await goodFileConverts(page, 'After many notes');
  });
});
