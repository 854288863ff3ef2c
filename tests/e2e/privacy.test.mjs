// Nothing leaves the machine: loading and converting a specification makes no
// request to any origin but the one serving the app. (blob: and data: URLs,
// which the downloads use, are not network requests.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, loadSample, specShown, uploadFile, tempDir, writeTemp, richSpec } from './helpers.mjs';

const app = useApp();
const dir = await tempDir();

describe('privacy', () => {
  it('every request goes to the app’s own origin (sample, upload, HAR, downloads)', async () => {
    const context = await app.newContext();
    const requests = [];
    // Context-wide: the page, its worker and the service worker.
    context.on('request', (r) => requests.push(r.url()));
    const page = await app.open({ context });
    await page.waitForLoadState('networkidle');

    await loadSample(page);
    const file = await writeTemp(dir, 'private-api.json', JSON.stringify(richSpec()));
    await uploadFile(page, file);
    await page.getByTestId('spec-title').filter({ hasText: 'Rich API' }).waitFor();
    await specShown(page);
    const entries = page.getByTestId('har-entry');
    for (let i = 0; i < (await entries.count()); i++) await entries.nth(i).click();
    for (const id of ['download-har', 'download-original']) {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
      assert.ok(await dl.path());
    }
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(500);

    const network = requests.filter((u) => !/^(blob|data):/.test(u));
    assert.ok(network.length > 0, 'requests were recorded');
    const foreign = network.filter((u) => new URL(u).origin !== app.server.origin);
    assert.deepEqual(foreign, [], `requests to other origins than ${app.server.origin}`);
    // And the specification's servers (rich.example.com) were never contacted.
    assert.ok(!network.some((u) => u.includes('example.com')));
    // The uploaded content never reached the server either: only GETs of build files.
    const sent = app.server.requests.filter((r) => !r.startsWith('GET '));
    assert.deepEqual(sent, [], 'the server saw only GET requests');
  });
});
