// The app as a daily tool (issue 15): credentials are offered and accounted
// for everywhere, what a person typed or looked at survives a visit to
// another page, big specifications are easy to work through (find, filter,
// group, a row opens its HAR entry, a keyboard listbox that draws only what
// is in view), and the Request and Response table explains each kind of
// failure once and filters by outcome.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  useApp, loadSample, specShown, uploadBuffer, makeSpec, text, screenshot, openPrescanOf, TIMEOUT,
} from './helpers.mjs';

const app = useApp();

/**
 * A target server on a free port. `seen` lists "METHOD path header=value" for
 * the header `record`; `answer(path)` gives the status, or 'no-cors' for a
 * response without CORS headers (the browser then reports no response).
 */
async function startTarget({ record = 'authorization', answer = () => 200 } = {}) {
  const seen = [];
  const server = createServer((req, res) => {
    const path = req.url.split('?')[0];
    const cors = {
      'Access-Control-Allow-Origin': req.headers.origin ?? '*',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
      'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
    };
    const status = answer(path);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, status === 'no-cors' ? {} : cors);
      return res.end();
    }
    seen.push(`${req.method} ${path} ${record}=${req.headers[record] ?? '(none)'}`);
    if (status === 'no-cors') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
    } else {
      res.writeHead(status, { ...cors, 'Content-Type': 'application/json' });
    }
    res.end('{}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const API_KEY_SPEC = `openapi: 3.0.3
info: { title: Keyed, version: 1.0.0 }
servers: [ { url: 'https://api.example.com' } ]
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-Key }
security: [ { key: [] } ]
paths:
  /things:
    get:
      responses: { '200': { description: ok } }
  /things/{id}:
    get:
      parameters: [ { name: id, in: path, required: true, schema: { type: integer, example: 7 } } ]
      responses: { '200': { description: ok } }
`;

/** Creates an in-browser analysis of `spec` (YAML text) and opens its Prescan page. */
function prescanPageOf(page, name, spec, fileName = 'spec.yaml') {
  return openPrescanOf(page, app.server.url, {
    name,
    file: { name: fileName, mimeType: 'application/yaml', buffer: Buffer.from(spec) },
  });
}

async function runPrescan(page) {
  await page.getByTestId('prescan-run').click();
  await page.getByTestId('prescan-status').filter({ hasText: /Prescan (Succeeded|Failed)/ }).waitFor({ timeout: TIMEOUT });
}

describe('credentials everywhere', () => {
  let target;
  before(async () => { target = await startTarget({ record: 'x-key' }); });
  after(async () => { await target?.close(); });

  it('the Prescan page offers API keys and sends them where the scheme says', async () => {
    const page = await app.open();
    await prescanPageOf(page, 'Keyed API', API_KEY_SPEC);
    await page.getByTestId('prescan-base-url').fill(target.url);
    await page.getByTestId('config-add-api-key').click();
    const row = page.getByTestId('config-api-key').first();
    await row.getByLabel('api-key name').fill('key');
    await row.getByLabel('api-key value').fill('k-42');
    // A cookie field is offered too (a browser cannot send it: the page says so).
    await page.getByTestId('config-add-cookie').click();
    await runPrescan(page);
    assert.equal(await text(page, 'prescan-status'), 'Prescan Succeeded');
    assert.deepEqual(target.seen.sort(), ['GET /things x-key=k-42', 'GET /things/7 x-key=k-42']);
    await page.getByTestId('tab-configuration').click();
    assert.match(await page.getByTestId('configuration-summary').textContent(), /API keys/);
  });

  it('the preview summary says, per credential, how many requests carry it', async () => {
    const page = await app.open();
    await uploadBuffer(page, 'keyed.yaml', API_KEY_SPEC.replace('security: [ { key: [] } ]\n', '')
      .replace("      responses: { '200': { description: ok } }\n  /things/{id}:", "      security: [ { key: [] } ]\n      responses: { '200': { description: ok } }\n  /things/{id}:"));
    await specShown(page);
    await page.getByTestId('config-toggle').click();
    await page.getByTestId('config-bearer').fill('tok');
    await page.locator('#config-api-key-key').fill('k-1');
    await page.getByTestId('config-apply').click();
    const lines = page.getByTestId('spec-credentials').locator('li');
    await lines.first().waitFor();
    const all = await lines.allTextContents();
    assert.equal(all.length, 2, all.join('\n'));
    assert.match(all.join('\n'), /API key for key is sent with 1 of 2 requests/);
    assert.match(all.join('\n'), /bearer token is sent with no request: the operations use other security schemes \(key\)/);
    await screenshot(page, 'preview-credentials');
  });
});

describe('work survives navigation', () => {
  it('an unapplied configuration, the HAR entry selected and the list scroll are there after another page', async () => {
    const page = await app.open();
    await uploadBuffer(page, 'many.json', JSON.stringify(makeSpec(300)));
    await specShown(page);
    await page.getByTestId('config-toggle').click();
    await page.getByTestId('config-base-url').fill('http://127.0.0.1:9/typed');
    await page.getByTestId('config-bearer').fill('not-applied');
    const list = page.getByTestId('har-entries');
    await list.evaluate((el) => { el.scrollTop = 200 * 32; el.dispatchEvent(new Event('scroll')); });
    await page.locator('#har-entry-205').click();
    assert.match(await page.getByTestId('har-entry-url').textContent(), /items205/);

    await page.getByTestId('nav-analyses').click();
    await page.getByRole('heading', { name: 'Dynamic Analyses', level: 1 }).waitFor();
    await page.goBack();
    await specShown(page);
    assert.equal(await page.getByTestId('config-base-url').inputValue(), 'http://127.0.0.1:9/typed');
    assert.equal(await page.getByTestId('config-bearer').inputValue(), 'not-applied');
    assert.equal(await page.getByTestId('config-panel').evaluate((d) => d.open), true);
    assert.equal(await page.locator('#har-entry-205').getAttribute('aria-selected'), 'true');
    assert.match(await page.getByTestId('har-entry-url').textContent(), /items205/);
    assert.ok(await page.getByTestId('har-entries').evaluate((el) => el.scrollTop) > 150 * 32);
  });
});

describe('big specifications', () => {
  it('focus moves to the summary once a file is converted', async () => {
    const page = await app.open();
    await loadSample(page);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'summary-heading');
  });

  it('find, filter by method and group by tag, kept in the URL', async () => {
    const page = await app.open();
    await loadSample(page);
    const rows = () => page.getByTestId('endpoint-row').count();
    const all = await rows();
    await page.getByTestId('endpoints-find').fill('petid');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=endpoint-row]').length === 3);
    assert.match(await text(page, 'endpoints-count'), /^3 matches$/);
    await page.getByTestId('endpoints-method').selectOption('DELETE');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=endpoint-row]').length === 1);
    assert.match(page.url(), /#\/\?q=petid&method=DELETE$/);
    // A reload (or a shared link) shows the same.
    await page.reload();
    await loadSample(page);
    assert.equal(await page.getByTestId('endpoints-find').inputValue(), 'petid');
    assert.equal(await rows(), 1);
    await page.getByTestId('endpoints-find').fill('');
    await page.getByTestId('endpoints-method').selectOption('');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=endpoint-row]').length === n, all);
    await page.getByTestId('endpoints-group').check();
    const groups = await page.getByTestId('endpoint-group-name').allTextContents();
    assert.ok(groups.length >= 1 && groups.every((g) => /\(\d+\)$/.test(g)), groups.join());
    assert.match(page.url(), /group=tag/);
    await page.getByTestId('endpoints-find').fill('nothing-like-this');
    await page.getByTestId('endpoints-none').waitFor();
    await screenshot(page, 'preview-endpoints-none');
  });

  it('a row opens its HAR entry; the HAR list is one Tab stop moved with the arrow keys and draws only what is in view', async () => {
    const page = await app.open();
    await uploadBuffer(page, 'big.json', JSON.stringify(makeSpec(5000)));
    await specShown(page);
    // A row of the endpoints table opens its entry, and focus goes to the list.
    await page.getByTestId('endpoint-open').nth(41).click();
    assert.match(await page.getByTestId('har-entry-url').textContent(), /\/items41\//);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'har-entries');
    await page.keyboard.press('ArrowDown');
    assert.match(await page.getByTestId('har-entry-url').textContent(), /\/items42\//);
    await page.keyboard.press('End');
    assert.match(await page.getByTestId('har-entry-url').textContent(), /\/items4999\//);
    assert.equal(await page.locator('#har-entry-4999').getAttribute('aria-selected'), 'true');
    assert.equal(await page.getByTestId('har-entries').getAttribute('aria-activedescendant'), 'har-entry-4999');
    // Only the rows in view are in the page, not 5,000.
    const drawn = await page.getByTestId('har-entry').count();
    assert.ok(drawn > 10 && drawn < 60, `${drawn} rows drawn`);
    // One Tab stop: Tab leaves the list at once.
    await page.keyboard.press('Tab');
    assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'har-entries');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), null);
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'har-entries');
    await page.keyboard.press('Home');
    assert.match(await page.getByTestId('har-entry-url').textContent(), /\/items0\//);
    await screenshot(page, 'preview-har-listbox');
  });
});

describe('Request and Response', () => {
  let target;
  before(async () => {
    target = await startTarget({
      answer: (path) => (path.startsWith('/pets/') ? 404 : path === '/nocors' ? 'no-cors' : 200),
    });
  });
  after(async () => { await target?.close(); });

  const SPEC = `openapi: 3.0.3
info: { title: Mixed, version: 1.0.0 }
servers: [ { url: 'https://api.example.com' } ]
paths:
  /pets:
    get: { responses: { '200': { description: ok } } }
  /pets/{id}:
    get:
      parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
      responses: { '200': { description: ok } }
  /pets/{id}/toys:
    get:
      parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
      responses: { '200': { description: ok } }
  /nocors:
    get: { responses: { '200': { description: ok } } }
  /remove:
    delete: { responses: { '204': { description: gone } } }
`;

  it('explains each kind of failure once, naming the origin to allow, and filters by outcome', async () => {
    const page = await app.open();
    page.allowErrors(/CORS|Failed to load resource|net::ERR_FAILED/);
    await prescanPageOf(page, 'Mixed outcomes', SPEC);
    await page.getByTestId('prescan-base-url').fill(target.url);
    await runPrescan(page);
    const status = await text(page, 'prescan-status');
    assert.equal(status, 'Prescan Failed: 3 of 4 requests failed');
    const explanations = await page.getByTestId('prescan-explanation').allTextContents();
    assert.equal(explanations.length, 2, explanations.join('\n'));
    const origin = new URL(app.server.url).origin;
    assert.match(explanations[0], new RegExp(`1 request got no response from ${target.url.replace(/\./g, '\\.')}`));
    assert.ok(explanations[0].includes(`Access-Control-Allow-Origin: ${origin}`), explanations[0]);
    assert.match(explanations[1], /2 requests answered 404 Not Found/);
    // Rows do not repeat the paragraph.
    assert.equal(await page.getByTestId('prescan-table').getByText('Access-Control-Allow-Origin').count(), 0);

    // Errors only: exactly the failed rows.
    await page.getByTestId('outcome-filter-errors').click();
    const visible = page.locator('[data-testid=prescan-row]:visible');
    assert.equal(await visible.count(), 3);
    assert.deepEqual(new Set(await visible.evaluateAll((rows) => rows.map((r) => r.dataset.inError))), new Set(['true']));
    assert.match(await text(page, 'outcome-filter-count'), /Showing 3 of 5/);
    await page.getByTestId('outcome-filter-skipped').click();
    assert.equal(await visible.count(), 1);
    // Quiet and short: the reason's first clause (what to do is in the notes).
    assert.equal((await visible.first().getByTestId('prescan-row-response').textContent()).trim(), 'Skipped: Unsafe method');
    await page.getByTestId('outcome-filter-4xx').click();
    assert.equal(await visible.count(), 2);
    await page.getByTestId('outcome-filter-network').click();
    assert.equal(await visible.count(), 1);
    await page.getByTestId('outcome-filter-all').click();
    assert.equal(await visible.count(), 5);
    await screenshot(page, 'prescan-explanations');
  });

  it('a success with failed requests says how many, in the status text', async () => {
    const page = await app.open();
    page.allowErrors(/Failed to load resource: the server responded with a status of 404/);
    await prescanPageOf(page, 'Some 404', SPEC.replace(/  \/nocors:\n.*\n/, ''));
    await page.getByTestId('prescan-base-url').fill(target.url);
    await runPrescan(page);
    assert.equal(await text(page, 'prescan-status'), 'Prescan Succeeded, with errors: 2 of 3 requests answered 4xx or 5xx');
    assert.match(await page.getByTestId('prescan-status').getAttribute('class'), /prescan-status--warning/);
  });
});

describe('phone widths', () => {
  it('a compact header, paths that wrap at slashes, and tables that say more columns scroll into view', async () => {
    const context = await app.newContext({ viewport: { width: 390, height: 844 } });
    const page = await app.open({ context });
    const header = await page.locator('.app-header').boundingBox();
    assert.ok(header.height <= 96, `header ${header.height}px high`);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Preview' }).count(), 1);
    await loadSample(page);
    // Each path breaks only after a slash: its words are never split.
    const pieces = await page.locator('[data-testid=endpoint-open] code').first().evaluate((code) => {
      const range = document.createRange();
      const lines = new Map();
      for (const node of code.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE) continue;
        range.selectNodeContents(node);
        const rects = [...range.getClientRects()];
        lines.set(node.textContent, new Set(rects.map((r) => Math.round(r.top))).size);
      }
      return [...lines.entries()];
    });
    assert.ok(pieces.length > 1, JSON.stringify(pieces));
    for (const [piece, lineCount] of pieces) assert.equal(lineCount, 1, `${piece} is split over ${lineCount} lines`);
    const hint = page.locator('.table-scroll__hint').first();
    assert.ok(await hint.isVisible());
    const region = page.getByRole('region', { name: 'Endpoints', exact: true });
    assert.ok(await region.evaluate((el) => el.scrollWidth > el.clientWidth), 'the table is wider than the screen');
    await screenshot(page, 'phone-preview');
  });
});
