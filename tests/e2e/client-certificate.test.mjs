// Client certificates and the User-Agent (issue 18): a browser cannot present
// a client certificate from a page, nor set User-Agent, and the app says so;
// with a prescan server, the New analysis page offers the certificate file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, text, openPrescanOf, SAMPLE, TIMEOUT } from './helpers.mjs';
import { useRefServer } from './refserver.mjs';

describe('in the browser (no server)', () => {
  const app = useApp();

  it('says where a client certificate and a User-Agent can be used instead', async () => {
    const page = await app.open({ path: '#/analyses/new' });
    await page.getByTestId('new-client-cert-browser').waitFor({ timeout: TIMEOUT });
    assert.match(await text(page, 'new-client-cert-browser'), /cannot present a client certificate.*prescan run --client-cert/s);
    assert.equal(await page.getByTestId('new-client-cert-file').count(), 0);

    await openPrescanOf(page, app.server.url, { name: 'Client certificate note', file: SAMPLE });
    assert.match(await text(page, 'prescan-client-cert-note'), /browser cannot present a client certificate/);
    assert.match(await text(page, 'prescan-user-agent-hint'), /browser sends its own User-Agent.*prescan-server\//s);
    await page.getByTestId('prescan-user-agent').fill('bad\u00e9agent');
    await page.getByTestId('prescan-run').click();
    await page.getByTestId('prescan-form-errors').waitFor({ timeout: TIMEOUT });
    assert.match(await text(page, 'prescan-form-errors'), /User-Agent/);
  });
});

describe('with a prescan server', () => {
  const rig = useRefServer({ token: 'e2e-token-7d2a-client-cert' });

  it('offers the client certificate file and its passphrase, and a User-Agent for the server prescan', async () => {
    const page = await rig.open('#/analyses/new');
    await page.getByTestId('new-client-cert-file').waitFor({ timeout: TIMEOUT });
    await page.getByTestId('new-client-cert-pass').waitFor();
    assert.equal(await page.getByTestId('new-client-cert-browser').count(), 0);
    assert.deepEqual(page.watched.problems(), []);
  });
});
