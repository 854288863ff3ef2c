// After one visit, the app works offline (service worker, see public/sw.js).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, appReady, loadSample, count } from './helpers.mjs';

const app = useApp();

describe('offline', () => {
  it('after one visit the app renders and "Try the sample" works with the network and server gone', async () => {
    const context = await app.newContext();
    const page = await app.open({ context });
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, app.server.url, 'the service worker’s scope is the sub-path the app is served from');
    await page.reload();
    await appReady(page);
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker controls the page');

    await context.setOffline(true);
    await app.server.close();
    const seen = app.server.requests.length;

    await page.reload();
    await appReady(page);
    await loadSample(page);
    assert.ok((await count(page, 'endpoint-count')) > 0);
    assert.equal(app.server.requests.length, seen, 'nothing reached the (stopped) server');
  });
});
