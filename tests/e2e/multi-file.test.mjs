// A specification split over two files (issue 17): the root references
// `./schemas.yaml#/Pet`. Both files are chosen in the preview, an analysis
// is created from it, the page is reloaded, and the analysis's HAR (converted
// again from the stored specification) has the referenced property: the
// store kept both files; its original downloads as one ZIP archive of both.
// In the in-browser store (IndexedDB) and against the
// reference server (multipart upload, server-side conversion).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, specShown, download, screenshot, waitUntilSaved, TIMEOUT } from './helpers.mjs';
import { useRefServer } from './refserver.mjs';

const ROOT = `openapi: 3.0.3
info: {title: Split pets, version: '1'}
servers: [{url: 'https://pets.example.com'}]
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: './schemas.yaml#/Pet'}
      responses: {'201': {description: created}}
`;
const SCHEMAS = `Pet:
  type: object
  required: [nickname]
  properties:
    nickname: {type: string, example: Rex}
`;
const FILES = [
  { name: 'openapi.yaml', mimeType: 'application/yaml', buffer: Buffer.from(ROOT) },
  { name: 'schemas.yaml', mimeType: 'application/yaml', buffer: Buffer.from(SCHEMAS) },
];

/**
 * Chooses both files in the preview, creates an analysis of them, reloads,
 * and waits for the analysis page.
 */
async function splitSpecAnalysis(page, name) {
  await page.getByTestId('file-input').setInputFiles(FILES);
  await specShown(page);
  const notes = await page.locator('body').textContent();
  assert.doesNotMatch(notes, /which was not given/, 'the preview resolved the reference');
  await page.getByTestId('use-in-analysis').click();
  await page.getByTestId('new-name').waitFor({ timeout: TIMEOUT });
  await page.getByTestId('new-name').fill(name);
  await page.getByTestId('new-start-now').check();
  await page.getByTestId('new-permission').check();
  await page.getByTestId('new-submit').click();
  await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor({ timeout: TIMEOUT });
}

/** Reloads the analysis page and downloads its HAR. */
async function harAfterReload(page, name) {
  assert.match(page.url(), /#\/analyses\/\d+$/);
  await page.reload();
  try {
    await page.getByTestId('analysis-name').filter({ hasText: name }).waitFor({ timeout: TIMEOUT });
  } catch (e) {
    throw new Error(`${e.message}\n${page.url()}\n${(await page.locator('body').textContent()).slice(0, 1500)}`);
  }
  assert.match(await page.getByTestId('scan-row').first().textContent(), /openapi\.yaml/);
  const har = await download(page, 'download-scan-har');
  return har.bytes.toString('utf8');
}

/**
 * Downloads the analysis's original: one ZIP archive holding both files,
 * read back by its central directory (what unzip reads).
 */
async function assertOriginalIsBothFiles(page) {
  const original = await download(page, 'download-scan-spec');
  assert.equal(original.name, 'openapi.zip');
  const zip = original.bytes;
  const end = zip.length - 22;
  assert.equal(zip.readUInt32LE(end), 0x06054b50, 'an end of central directory record');
  const files = {};
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    files[name] = zip.subarray(data, data + size).toString('utf8');
    at += 46 + nameLength;
  }
  assert.deepEqual(files, { 'openapi.yaml': ROOT, 'schemas.yaml': SCHEMAS });
}

function assertResolved(harText) {
  const har = JSON.parse(harText);
  const post = har.log.entries.find((e) => e.request.method === 'POST');
  assert.ok(post, harText.slice(0, 500));
  assert.match(post.request.postData.text, /nickname/, 'the referenced schema was resolved');
  assert.doesNotMatch(harText, /which was not given/);
}

describe('a specification of two files, in this browser', () => {
  const app = useApp();
  it('is stored with both files and converts the same after a reload', async () => {
    const page = await app.open();
    await splitSpecAnalysis(page, 'Split pets here');
    // The saved state lists both files; the other file is saved apart.
    await waitUntilSaved(page, (v) => v && v.includes('schemas.yaml'));
    const others = await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('prescan');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const all = db.transaction('spec_files').objectStore('spec_files').getAll();
        all.onsuccess = () => { db.close(); resolve(all.result.map((a) => a[0])); };
        all.onerror = () => { db.close(); reject(all.error); };
      };
    }));
    assert.deepEqual(others, ['schemas.yaml']);
    assertResolved(await harAfterReload(page, 'Split pets here'));
    await assertOriginalIsBothFiles(page);
    await screenshot(page, 'multi-file-analysis');
  });
});

describe('a specification of two files, on the reference server', () => {
  const TOKEN = 'e2e-token-multi-file';
  const rig = useRefServer({ token: TOKEN });
  it('is uploaded as multipart, stored whole, and converted by the server with both', async () => {
    const page = await rig.open('#/');
    await page.getByTestId('try-sample').waitFor({ timeout: TIMEOUT });
    await splitSpecAnalysis(page, 'Split pets on the server');
    const list = await rig.server.api('GET', '/specifications');
    const record = list.json.specifications.find((s) => s.file_name === 'openapi.yaml');
    assert.deepEqual(record.files.map((f) => f.name), ['openapi.yaml', 'schemas.yaml']);
    assertResolved(await harAfterReload(page, 'Split pets on the server'));
    await assertOriginalIsBothFiles(page);
    assert.deepEqual(page.watched.problems(), [], 'the page reported errors');
  });
});
