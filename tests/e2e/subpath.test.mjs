// One build works from any sub-path: every other test serves it under
// /tools/prescan/; here we check that every request stays under that path,
// plus a smoke test with the app at the server's root.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, loadSample, count, BASE } from './helpers.mjs';

describe(`served under ${BASE}`, () => {
  const app = useApp({ base: BASE });
  it('loads, and every request it makes stays under the sub-path', async () => {
    const context = await app.newContext();
    const paths = [];
    context.on('request', (r) => {
      if (!/^(blob|data):/.test(r.url())) paths.push(new URL(r.url()).pathname);
    });
    const page = await app.open({ context });
    await loadSample(page);
    await page.waitForLoadState('networkidle');
    assert.ok(paths.some((p) => p.endsWith('.wasm')), 'the wasm was fetched');
    const outside = paths.filter((p) => !p.startsWith(BASE));
    assert.deepEqual(outside, [], 'requests outside the sub-path');
    const failed = app.server.requests.filter((r) => !r.startsWith('GET ' + BASE));
    assert.deepEqual(failed, []);
  });

  it('without the trailing slash, redirects and loads', async () => {
    const page = await app.open({ path: '', waitForApp: false });
    await page.goto(app.server.origin + BASE.replace(/\/$/, ''));
    await loadSample(page);
    assert.ok((await count(page, 'endpoint-count')) > 0);
  });
});

describe('served at /', () => {
  const app = useApp({ base: '/' });
  it('smoke: the sample loads', async () => {
    const page = await app.open();
    await loadSample(page);
    assert.ok((await count(page, 'endpoint-count')) > 0);
  });
});
