// A specification full of markup is shown as text: nothing in it runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { useApp, repoRoot, specShown, uploadFile, tempDir, writeTemp } from './helpers.mjs';

const app = useApp();
const dir = await tempDir();

const SCRIPT = '<script>window.__xss=1</script>';
const IMG = '<img src=x onerror="window.__xss=1">';

// The core crate's fixture if it is there, else an equivalent one of our own.
const FIXTURE = path.join(repoRoot, 'crates', 'core', 'tests', 'fixtures', 'hostile.yaml');
const OWN = `openapi: 3.0.3
info:
  title: 'Hostile <b>API</b> ${IMG.replace(/'/g, "''")}'
  version: '1.0'
  description: '${SCRIPT} and ${IMG.replace(/'/g, "''")}'
servers:
  - url: 'https://example.com/"><script>window.__xss=1</script>'
paths:
  /x/{id}:
    get:
      summary: '${SCRIPT} ${IMG.replace(/'/g, "''")}'
      description: '${IMG.replace(/'/g, "''")}'
      parameters:
        - name: '"><img src=x onerror=window.__xss=1>'
          in: query
          schema: { type: string, example: '${SCRIPT}' }
        - name: id
          in: path
          required: true
          schema: { type: string }
      responses:
        '200': { description: '${SCRIPT}' }
  '/y<script>window.__xss=1</script>':
    post:
      summary: 'javascript:window.__xss=1'
      responses:
        '200': { description: ok }
`;

describe('hostile specification', () => {
  for (const [label, getFile] of [
    ['our own hostile spec', () => writeTemp(dir, 'hostile-own.yaml', OWN)],
    ...(existsSync(FIXTURE) ? [['crates/core/tests/fixtures/hostile.yaml', async () => FIXTURE]] : []),
  ]) {
    it(`${label}: markup is shown as text and never runs`, async () => {
      const page = await app.open();
      await page.evaluate(() => { delete window.__xss; });
      await uploadFile(page, await getFile());
      await specShown(page);
      const shown = await page.evaluate(() => document.body.textContent);
      assert.ok(shown.includes('<script>'), 'the <script> markup is shown as text');
      // Open every HAR entry (where hostile strings are rendered too), then look again.
      const entries = page.getByTestId('har-entry');
      const n = await entries.count();
      for (let i = 0; i < Math.min(n, 10); i++) await entries.nth(i).click();
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined', 'window.__xss stays undefined');
      const injected = await page.evaluate(
        () => document.querySelectorAll('img[src="x"], img[onerror], [onerror], a[href^="javascript:" i]').length,
      );
      assert.equal(injected, 0, 'no element from the spec was created');
    });
  }
});
