// No credential is silently left out (issue 15): a bearer token entered for a
// specification that declares no security (as GitHub's REST description)
// reaches the target server on every request of a prescan run from the
// browser. The target is a local HTTP server that records the Authorization
// header of each request it is sent (and answers CORS preflights, as an API
// that a browser may call must).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { useApp, text, tempDir, writeTemp, screenshot, openPrescanOf, TIMEOUT } from './helpers.mjs';

const app = useApp();

/** A target server on a free port; `seen` lists "METHOD path authorization". */
async function startTarget() {
  const seen = [];
  const server = createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': req.headers.origin ?? '*',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
      'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      return res.end();
    }
    seen.push(`${req.method} ${req.url.split('?')[0]} ${req.headers.authorization ?? '(none)'}`);
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

// Like GitHub's description: operations, no `securitySchemes`, no `security`.
const NO_SECURITY = `openapi: 3.0.3
info: { title: No security declared, version: 1.0.0 }
servers: [ { url: 'https://api.example.com' } ]
paths:
  /user:
    get:
      responses: { '200': { description: You } }
  /user/repos:
    get:
      responses: { '200': { description: Your repositories } }
`;

describe('credentials', () => {
  let target;
  before(async () => { target = await startTarget(); });
  after(async () => { await target?.close(); });

  it('a bearer token for a specification that declares no security reaches the server with every request', async () => {
    const file = await writeTemp(await tempDir(), 'no-security.yaml', NO_SECURITY);
    const context = await app.newContext();
    const page = await app.open({ path: '#/analyses/new', context, waitForApp: false });
    await openPrescanOf(page, app.server.url, { name: 'Token everywhere', file });

    await page.getByTestId('prescan-base-url').fill(target.url);
    await page.getByTestId('prescan-bearer').fill('tok-123');
    await page.getByTestId('prescan-run').click();
    await page.getByTestId('prescan-status').filter({ hasText: /Prescan (Succeeded|Failed)/ }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(page, 'prescan-status'), 'Prescan Succeeded');
    assert.deepEqual(target.seen.sort(), ['GET /user Bearer tok-123', 'GET /user/repos Bearer tok-123']);
    // The notes say why it was sent with every request.
    await page.getByTestId('prescan-notes').waitFor();
    assert.match(await page.getByTestId('prescan-notes').textContent(), /bearer token is sent with every request/);
    await page.getByTestId('prescan-notes').scrollIntoViewIfNeeded();
    await screenshot(page, 'prescan-credentials-note');
  });
});
