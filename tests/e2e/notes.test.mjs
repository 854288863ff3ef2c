// Issue 15, item 7: notes that read well. One test per point: counts agree
// with their nouns, parser messages are rewritten for people, locations in
// minified JSON have a column, one bad property drops that property (not
// the request body), and the format label says each thing once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, specShown, uploadBuffer, text, download, assertHar, screenshot } from './helpers.mjs';

const app = useApp();

/** Uploads `spec` (an object) as minified JSON and waits for its preview. */
async function load(page, name, spec) {
  await uploadBuffer(page, name, JSON.stringify(spec), 'application/json');
  await page.getByTestId('spec-title').filter({ hasText: spec.info.title }).waitFor();
  await specShown(page);
}

/** The notes as shown: each as { message, place }, and the summary line. */
async function notes(page) {
  const items = await page.getByTestId('diagnostic').evaluateAll((els) =>
    els.map((el) => ({
      message: el.querySelector('.diagnostic__message')?.textContent ?? '',
      place: el.querySelector('.diagnostic__place')?.textContent ?? '',
    })),
  );
  const summary = (await page.getByTestId('diagnostics').locator('p.muted').first().textContent()).trim();
  return { items, summary };
}

const server = [{ url: 'https://api.example.com' }];

describe('notes that read well', () => {
  it('counts agree with their nouns: 1 error, 0 warnings, 1 note', async () => {
    const page = await app.open();
    await load(page, 'one-of-each.json', {
      openapi: '3.1.0', // one note: 3.1 is read through the 3.0 reader
      info: { title: 'One of each', version: '1' },
      servers: server,
      paths: { '/a': { get: { parameters: [{ name: 'q', in: 'nowhere' }], responses: {} } } }, // one error
    });
    const { summary, items } = await notes(page);
    assert.equal(summary, '1 error, 0 warnings, 1 note', JSON.stringify(items));
  });

  it('parser messages are rewritten for people', async () => {
    const page = await app.open();
    await load(page, 'schema-false.json', {
      openapi: '3.0.3',
      info: { title: 'Schema false', version: '1' },
      servers: server,
      paths: { '/a': { get: { parameters: [{ name: 'q', in: 'query', schema: false }], responses: {} } } },
    });
    const { items } = await notes(page);
    const note = items.find((n) => n.message.includes('Parameter q '));
    assert.ok(note, JSON.stringify(items));
    assert.match(note.message, /expected a schema object, found false/, note.message);
    assert.doesNotMatch(note.message, /invalid type|expected struct/, note.message);
  });

  it('a location in minified JSON has its column', async () => {
    const page = await app.open();
    const spec = {
      openapi: '3.0.3',
      info: { title: 'Minified', version: '1', description: 'x'.repeat(5000) },
      servers: server,
      paths: { '/a': { get: { parameters: [{ name: 'q', in: 'nowhere' }], responses: {} } } },
    };
    await load(page, 'minified.json', spec);
    const { items } = await notes(page);
    const note = items.find((n) => n.message.includes('Parameter q '));
    assert.ok(note, JSON.stringify(items));
    const column = JSON.stringify(spec).indexOf('{"name":"q"') + 1;
    const grouped = column.toLocaleString('en-US');
    assert.match(note.place, new RegExp(`\\(line 1, column ${grouped}\\)`), note.place);
  });

  it('one bad property drops that property, not the request body', async () => {
    const page = await app.open();
    await load(page, 'bad-property.json', {
      openapi: '3.0.3',
      info: { title: 'Bad property', version: '1' },
      servers: server,
      paths: {
        '/pets': {
          post: {
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { name: { type: 'string', example: 'Rex' }, bad: false, age: { type: 'integer' } },
                  },
                },
              },
            },
            responses: { 200: { description: 'ok' } },
          },
        },
      },
    });
    const { items } = await notes(page);
    const note = items.find((n) => n.message.includes('property bad '));
    assert.ok(note, JSON.stringify(items));
    assert.match(note.message, /The property bad is left out of the request body/, note.message);
    assert.match(note.message, /expected a schema object, found false/, note.message);
    assert.match(note.place, /\/properties\/bad \(line 1, column [\d,]+\)/, note.place);
    assert.doesNotMatch(items.map((n) => n.message).join('\n'), /request body could not be read/);

    const { bytes } = await download(page, 'download-har');
    const har = JSON.parse(bytes.toString('utf8'));
    assertHar(har, 1);
    const body = JSON.parse(har.log.entries[0].request.postData?.text ?? 'null');
    assert.deepEqual(body, { name: 'Rex', age: 1 });
    await screenshot(page, 'notes-bad-property');
  });

  it('the format label says each thing once', async () => {
    const page = await app.open();
    await load(page, 'swagger.json', {
      swagger: '2.0',
      info: { title: 'Old school', version: '1' },
      host: 'api.example.com',
      paths: { '/a': { get: { responses: { 200: { description: 'ok' } } } } },
    });
    const format = await text(page, 'spec-format');
    assert.equal(format, 'Swagger 2.0, JSON');
    assert.doesNotMatch(format, /\(version|\(Swagger\)/);
  });
});
