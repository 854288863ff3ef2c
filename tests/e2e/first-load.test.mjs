// What a first visit fetches (issue 14): the converter's WebAssembly only
// when a person moves to give a file, and each file once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, appReady, byId, specShown, SAMPLE } from './helpers.mjs';

const app = useApp();

const workerFiles = (requests) => requests.filter((r) => /\/worker(_bg\.wasm|\.js|_loader\.js)$/.test(r));

describe('first load', () => {
  it('fetches the converter only when the pointer reaches the input panel, then converts', async () => {
    const context = await app.newContext({ serviceWorkers: 'block' });
    const from = app.server.requests.length;
    const page = await app.open({ context });
    await page.waitForLoadState('networkidle');
    assert.deepEqual(workerFiles(app.server.requests.slice(from)), [], 'no converter on a first visit that only looks');

    await byId(page, 'try-sample').hover();
    await page.waitForResponse((r) => r.url().endsWith('/worker_bg.wasm'));
    const fetched = workerFiles(app.server.requests.slice(from));
    assert.ok(fetched.includes(`GET ${app.server.base}worker_bg.wasm`), fetched.join(', '));

    await byId(page, 'try-sample').click();
    await specShown(page);
  });

  it('a file given without the pointer (keyboard, script) starts the converter itself', async () => {
    const context = await app.newContext({ serviceWorkers: 'block' });
    const page = await app.open({ context });
    await byId(page, 'file-input').setInputFiles(SAMPLE);
    await specShown(page);
  });

  it('the in-browser store opens only when a page needs it', async () => {
    const page = await app.open();
    await page.waitForLoadState('networkidle');
    const databases = () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    assert.deepEqual(await databases(), [], 'previewing opens no IndexedDB');
    await byId(page, 'nav-analyses').click();
    await page.getByRole('heading', { level: 1, name: 'Dynamic Analyses' }).waitFor();
    await page.waitForFunction(async () => (await indexedDB.databases()).length > 0);
    assert.equal((await databases()).length, 1, 'the Analyses page opened the store');
  });

  it('with the service worker, a first visit downloads each file of the build once', async () => {
    const context = await app.newContext();
    const downloads = new Map();
    context.on('requestfinished', async (request) => {
      const size = (await request.sizes()).responseBodySize;
      if (size > 0) downloads.set(request.url(), (downloads.get(request.url()) ?? 0) + 1);
    });
    const page = await app.open({ context });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForLoadState('networkidle');
    await appReady(page);
    // Only content-hashed files are sure to be reused; the others are
    // revalidated, and this test server sends no validators. The favicon
    // (0.2 KiB) is left out: Chromium fetches it by itself, outside the
    // page's HTTP cache, sometimes after the precache did.
    const twice = [...downloads].filter(
      ([url, n]) => n > 1 && /-[0-9a-f]{8,16}(_bg)?\.[a-z]+$/.test(url) && !/\/favicon-/.test(url),
    );
    assert.deepEqual(twice, [], 'content-hashed files downloaded twice');
    assert.ok([...downloads.keys()].some((u) => u.endsWith('_bg.wasm')), 'the page’s WebAssembly was downloaded');
  });
});
