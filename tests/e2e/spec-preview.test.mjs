// Loading a specification (sample, file input, drop zone, paste), the preview
// (title, version, format, servers, endpoints table), the prescan notice, the
// downloads and the HAR browser. Served under BASE (/tools/prescan/).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  useApp, loadSample, specShown, uploadFile, uploadBuffer, text, count, screenshot,
  tempDir, writeTemp, makeSpec, richSpec, SAMPLE, download, assertHar,
} from './helpers.mjs';

const app = useApp();
const dir = await tempDir();

describe('the sample', () => {
  it('"Try the sample" shows the Petstore: title, version, format, servers, endpoints', async () => {
    const page = await app.open();
    await loadSample(page);
    assert.match(await text(page, 'spec-title'), /pet\s*store/i);
    assert.match(await text(page, 'spec-version'), /\d/);
    assert.match(await text(page, 'spec-format'), /openapi|swagger/i);
    assert.notEqual(await text(page, 'spec-servers'), '');
    const rows = await page.getByTestId('endpoint-row').count();
    assert.ok(rows > 0, 'rows');
    assert.equal(await count(page, 'endpoint-count'), rows, 'endpoint-count equals the number of rows');
    await screenshot(page, 'sample-loaded');
  });

  it('the endpoints table is an accessible table (caption, column headers)', async () => {
    const page = await app.open();
    await loadSample(page);
    const table = page.getByTestId('endpoints-table');
    assert.equal(await table.evaluate((el) => el.tagName), 'TABLE');
    assert.notEqual((await table.locator('caption').textContent())?.trim() ?? '', '', 'a non-empty <caption>');
    const cols = await table.locator('th[scope="col"]').count();
    assert.ok(cols >= 2, `at least two <th scope="col">, found ${cols}`);
    assert.equal(
      await page.getByTestId('endpoint-row').first().evaluate((el) => el.tagName),
      'TR',
      'endpoint rows are table rows',
    );
  });
});

describe('loading a file', () => {
  it('through the file input', async () => {
    const file = await writeTemp(dir, 'rich-api.json', JSON.stringify(richSpec(), null, 2));
    const page = await app.open();
    await uploadFile(page, file);
    await specShown(page);
    assert.equal(await text(page, 'spec-title'), 'Rich API');
    assert.match(await text(page, 'spec-version'), /2\.1\.0/);
    assert.match(await text(page, 'spec-format'), /openapi/i);
    assert.match(await text(page, 'spec-format'), /json/i);
    assert.match(await text(page, 'spec-servers'), /rich\.example\.com/);
    assert.equal(await page.getByTestId('endpoint-row').count(), 2);
    assert.equal(await count(page, 'endpoint-count'), 2);
  });

  it('a YAML file through the file input', async () => {
    const yaml = [
      'openapi: 3.0.3',
      'info:',
      '  title: Yaml API',
      '  version: 0.3.0',
      'paths:',
      '  /a:',
      '    get:',
      '      responses:',
      "        '200': { description: OK }",
      '  /b:',
      '    delete:',
      '      responses:',
      "        '204': { description: gone }",
      '',
    ].join('\n');
    const page = await app.open();
    await uploadBuffer(page, 'yaml-api.yaml', yaml, 'application/yaml');
    await specShown(page);
    assert.equal(await text(page, 'spec-title'), 'Yaml API');
    assert.match(await text(page, 'spec-format'), /yaml/i);
    assert.equal(await count(page, 'endpoint-count'), 2);
  });

  it('the drop zone is a keyboard-focusable button; Enter opens the file chooser', async () => {
    const file = await writeTemp(dir, 'chooser.json', JSON.stringify(makeSpec(3, { title: 'Chosen API' })));
    const page = await app.open();
    // Listen first: playwright turns on file-chooser interception when the first
    // listener is added, without waiting; the round trips below let it settle.
    const chooserShown = page.waitForEvent('filechooser');
    const zone = page.getByTestId('drop-zone');
    const role = await zone.evaluate((el) => (el.tagName === 'BUTTON' ? 'button' : el.getAttribute('role')));
    assert.equal(role, 'button', 'drop-zone is a <button> (or role=button)');
    await zone.focus();
    assert.ok(await zone.evaluate((el) => el === document.activeElement), 'drop-zone takes focus');
    await page.keyboard.press('Enter');
    const chooser = await chooserShown;
    await chooser.setFiles(file);
    await specShown(page);
    assert.equal(await text(page, 'spec-title'), 'Chosen API');
  });

  it('dropping a file on the drop zone loads it', async () => {
    const page = await app.open();
    const content = JSON.stringify(makeSpec(4, { title: 'Dropped API' }));
    await page.getByTestId('drop-zone').evaluate((zone, content) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], 'dropped.json', { type: 'application/json' }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }
    }, content);
    await specShown(page);
    assert.equal(await text(page, 'spec-title'), 'Dropped API');
    assert.equal(await count(page, 'endpoint-count'), 4);
  });

  it('pasting text loads it', async () => {
    const page = await app.open();
    // The paste box may sit in a disclosure (<details>, summary `paste-toggle`).
    if (!(await page.getByTestId('paste-input').isVisible())) await page.getByTestId('paste-toggle').click();
    await page.getByTestId('paste-input').fill(JSON.stringify(makeSpec(5, { title: 'Pasted API' })));
    await page.getByTestId('paste-submit').click();
    await specShown(page);
    assert.equal(await text(page, 'spec-title'), 'Pasted API');
    assert.equal(await count(page, 'endpoint-count'), 5);
  });

  it('a spec with more than 100 operations shows the prescan notice', async () => {
    const file = await writeTemp(dir, 'big-150.json', JSON.stringify(makeSpec(150)));
    const page = await app.open();
    await uploadFile(page, file);
    await specShown(page);
    const notice = page.getByTestId('prescan-notice');
    await notice.waitFor({ state: 'visible' });
    assert.match((await notice.textContent()).replace(/\s+/g, ' '), /The prescan covers the first 100 of 150 endpoints/);
  });

  it('a spec with at most 100 operations shows no prescan notice', async () => {
    const file = await writeTemp(dir, 'small-100.json', JSON.stringify(makeSpec(100)));
    const page = await app.open();
    await uploadFile(page, file);
    await specShown(page);
    assert.equal(await page.getByTestId('prescan-notice').count(), 0);
  });
});

describe('downloads', () => {
  it('"Download HAR" gives <name>.har: HAR 1.2 with complete entries', async () => {
    const file = await writeTemp(dir, 'rich-api.json', JSON.stringify(richSpec()));
    const page = await app.open();
    await uploadFile(page, file);
    await specShown(page);
    const { name, bytes } = await download(page, 'download-har');
    assert.equal(name, 'rich-api.har');
    const har = JSON.parse(bytes.toString('utf8'));
    assertHar(har, 2);
    const post = har.log.entries.find((e) => e.request.method === 'POST');
    assert.ok(post, 'the POST operation is in the HAR');
    assert.match(post.request.url, /^https:\/\/rich\.example\.com\/api\/orders\//);
  });

  it('"Download HAR" for the sample is petstore.har', async () => {
    const page = await app.open();
    await loadSample(page);
    const { name, bytes } = await download(page, 'download-har');
    assert.equal(name, 'petstore.har');
    assertHar(JSON.parse(bytes.toString('utf8')), await page.getByTestId('endpoint-row').count());
  });

  it('"Download original" for the sample is petstore.yaml, as bundled', async () => {
    const page = await app.open();
    await loadSample(page);
    const { name, bytes } = await download(page, 'download-original');
    assert.equal(name, 'petstore.yaml');
    assert.ok(bytes.equals(await readFile(SAMPLE)), 'byte-identical to public/samples/petstore.yaml');
  });

  it('"Download original" gives back the uploaded bytes under the original name', async () => {
    // CRLF line ends, non-ASCII text and a trailing space: any re-encoding shows.
    const original = Buffer.from(
      'openapi: "3.0.3"\r\ninfo:\r\n  title: "Ünïcødé — API ✓"\r\n  version: "1.0" \r\npaths:\r\n  /x:\r\n    get:\r\n      responses:\r\n        "200": {description: ok}\r\n',
      'utf8',
    );
    const file = await writeTemp(dir, 'my spec.v2.yml', original);
    const page = await app.open();
    await uploadFile(page, file);
    await specShown(page);
    const { name, bytes } = await download(page, 'download-original');
    assert.equal(name, 'my spec.v2.yml');
    assert.ok(bytes.equals(original), 'byte-identical');
    const har = await download(page, 'download-har');
    assert.equal(har.name, 'my spec.v2.har');
  });
});

describe('the HAR browser', () => {
  it('lists one entry per endpoint; an entry shows its request line, headers, query and body', async () => {
    const file = await writeTemp(dir, 'rich-api.json', JSON.stringify(richSpec()));
    const page = await app.open();
    await uploadFile(page, file);
    await specShown(page);
    const entries = page.getByTestId('har-entry');
    await entries.first().waitFor();
    assert.equal(await entries.count(), await page.getByTestId('endpoint-row').count());
    await entries.filter({ hasText: 'POST' }).first().click();
    const detail = page.getByTestId('har-entry-detail');
    await detail.waitFor({ state: 'visible' });
    const shown = (await detail.textContent()).replace(/\s+/g, ' ');
    assert.match(shown, /POST/);
    assert.match(shown, /rich\.example\.com\/api\/orders\//);
    assert.match(shown, /X-Request-Id/i, 'the header');
    assert.match(shown, /dryRun/, 'the query parameter');
    assert.match(shown, /quantity/, 'the body');
  });

  it('shows the raw HAR', async () => {
    const page = await app.open();
    await loadSample(page);
    const raw = page.getByTestId('har-raw');
    // The raw text may sit in a disclosure (<details>, summary `har-raw-toggle`).
    if (!(await raw.isVisible())) await page.getByTestId('har-raw-toggle').click();
    await raw.waitFor({ state: 'visible' });
    const tag = await raw.evaluate((el) => el.tagName);
    assert.ok(['PRE', 'TEXTAREA'].includes(tag), `har-raw is a <pre> or <textarea>, not ${tag}`);
    const read = () => (tag === 'TEXTAREA' ? raw.inputValue() : raw.textContent());
    // It may say "Reading…" first.
    await page.waitForFunction((el) => /^\s*\{/.test(el.value ?? el.textContent), await raw.elementHandle());
    assertHar(JSON.parse(await read()), await page.getByTestId('endpoint-row').count());
  });
});
