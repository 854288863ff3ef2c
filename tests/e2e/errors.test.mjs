// Bad input: each shows `load-error` (role=alert) with a useful message, the
// previously loaded specification stays on screen, and a good file loads after.
// A 50 MB specification either loads or is refused clearly, and the page keeps
// answering while it works.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  useApp, loadSample, specShown, uploadFile, uploadBuffer, waitForError, text, count,
  tempDir, makeSpec, TIMEOUT,
} from './helpers.mjs';

const app = useApp();
const dir = await tempDir();

/** Loads the sample, then `name`/`content`; checks the error and that the sample stays. */
async function expectLoadError(name, content, check) {
  const page = await app.open();
  await loadSample(page);
  const title = await text(page, 'spec-title');
  const rows = await page.getByTestId('endpoint-row').count();

  await uploadBuffer(page, name, content);
  const error = await waitForError(page);
  assert.equal(await error.getAttribute('role'), 'alert', 'load-error has role=alert');
  const message = (await error.textContent()).replace(/\s+/g, ' ').trim();
  assert.ok(message.length > 0, 'the error says something');
  check?.(message);

  // The previous specification is still shown...
  assert.ok(await page.getByTestId('endpoints-table').isVisible(), 'the previous table is still shown');
  assert.equal(await text(page, 'spec-title'), title, 'the previous title is still shown');
  assert.equal(await page.getByTestId('endpoint-row').count(), rows);

  // ...and a good file loads after the error (and clears it).
  await uploadBuffer(page, 'after.json', JSON.stringify(makeSpec(2, { title: 'After API' })), 'application/json');
  await page.getByTestId('spec-title').filter({ hasText: 'After API' }).waitFor();
  await specShown(page);
  assert.equal(await count(page, 'endpoint-count'), 2);
  await page.getByTestId('load-error').waitFor({ state: 'hidden' });
  return message;
}

describe('load errors', () => {
  it('invalid JSON: says the line and column', async () => {
    const bad = '{\n  "openapi": "3.0.3",\n  "info": { "title": "Broken", "version": "1" },,\n  "paths": {}\n}\n';
    await expectLoadError('broken.json', bad, (m) => {
      assert.match(m, /line 3, column/i, m);
      // The line itself is shown, with the place marked under it.
      assert.match(m, /3 │ +"info": \{ "title": "Broken", "version": "1" \},,/, m);
      assert.match(m, /│ +\^/, m);
    });
  });

  it('invalid YAML: says the line and column', async () => {
    const bad = 'openapi: 3.0.3\ninfo:\n  title: "Broken\n  version: [1, 2\npaths: {}\n';
    await expectLoadError('broken.yaml', bad, (m) => {
      assert.match(m, /line/i, m);
      assert.match(m, /column/i, m);
    });
  });

  it('well-formed but not a specification: says which formats are supported', async () => {
    await expectLoadError('package.json', JSON.stringify({ name: 'not-a-spec', version: '1.0.0' }), (m) =>
      assert.match(m, /OpenAPI/, m),
    );
  });

  it('an empty file', async () => {
    await expectLoadError('empty.yaml', '', (m) => assert.match(m, /empty/i, m));
  });

  it('a binary file', async () => {
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0xff, 0xfe]), randomBytes(64), Buffer.from([0])]);
    await expectLoadError('image.png', bytes);
  });
});

describe('a 50 MB specification', () => {
  it('loads or is refused clearly, and the page answers within a second meanwhile', { timeout: 180_000 }, async () => {
    // ~10,000 operations with 5 KB descriptions: about 50 MB of valid OpenAPI JSON.
    const spec = makeSpec(10_000, { title: 'Huge API', pad: 4_700 });
    const file = path.join(dir, 'huge.json');
    await writeFile(file, JSON.stringify(spec));
    const size = statSync(file).size;
    assert.ok(size > 48e6 && size < 56e6, `the file is about 50 MB (${size})`);

    const page = await app.open();
    await uploadFile(page, file);
    const started = Date.now();
    let worst = 0;
    let outcome;
    while (!outcome) {
      const t0 = Date.now();
      const answered = await Promise.race([
        page.evaluate(() => 1).then(() => true),
        new Promise((r) => setTimeout(() => r(false), 1000)),
      ]);
      const took = Date.now() - t0;
      worst = Math.max(worst, took);
      assert.ok(answered, `the page did not answer within 1 s, ${((Date.now() - started) / 1000).toFixed(1)} s after choosing the file`);
      if (await page.getByTestId('load-error').isVisible()) outcome = 'error';
      else if (await page.getByTestId('spec-title').filter({ hasText: 'Huge API' }).isVisible()) outcome = 'loaded';
      else if (Date.now() - started > 150_000) assert.fail('neither loaded nor refused within 150 s');
      else await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (outcome === 'loaded') {
      await specShown(page);
      assert.equal(await count(page, 'endpoint-count'), 10_000);
    } else {
      const m = (await page.getByTestId('load-error').textContent()).trim();
      assert.match(m, /large|big|size|MB/i, `a clear message about the size: ${m}`);
    }
    console.log(`# 50 MB spec: ${outcome} after ${seconds} s; slowest page answer ${worst} ms`);
    // Still usable afterwards.
    await page.getByTestId('try-sample').click();
    await page.getByTestId('spec-title').filter({ hasText: /pet\s*store/i }).waitFor({ timeout: TIMEOUT });
  });
});

describe('cancelling a conversion', () => {
  it('stops it, keeps what was shown, and the next file converts', { timeout: 180_000 }, async () => {
    // JSON behind a YAML comment is read by the (slower) YAML parser: seconds of
    // work, time enough to cancel.
    const spec = makeSpec(6_000, { title: 'Slow API', pad: 2_000 });
    const file = path.join(dir, 'slow.yaml');
    await writeFile(file, `# a large flow-style YAML document\n${JSON.stringify(spec)}`);

    const page = await app.open();
    await loadSample(page);
    const title = await text(page, 'spec-title');
    await uploadFile(page, file);
    await page.getByTestId('cancel-load').click({ timeout: TIMEOUT });
    await page.getByTestId('status').filter({ hasText: 'Stopped loading slow.yaml' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(page, 'spec-title'), title, 'the previous specification is still shown');
    assert.equal(await page.getByTestId('load-error').count(), 0, 'cancelling is not an error');

    // A fresh worker takes the next file.
    await uploadBuffer(page, 'next.json', JSON.stringify(makeSpec(3, { title: 'Next API' })), 'application/json');
    await page.getByTestId('spec-title').filter({ hasText: 'Next API' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await count(page, 'endpoint-count'), 3);
  });
});
