// Client certificates and the User-Agent (issue 18): a browser cannot present
// a client certificate from a page, nor set User-Agent, and the app says so;
// with a prescan server, the New analysis page offers the certificate file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useApp, text, openPrescanOf, repoRoot, SAMPLE, TIMEOUT } from './helpers.mjs';
import { useRefServer } from './refserver.mjs';

describe('in the browser (no server)', () => {
  const app = useApp();

  it('says where a client certificate and a User-Agent can be used instead', async () => {
    const page = await app.open({ path: '#/analyses/new', waitForApp: false });
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

    // A valid one: the browser sends its own, and the run's notes say so.
    page.allowErrors(/status of 404/);
    await page.getByTestId('prescan-base-url').fill(app.server.origin);
    await page.getByTestId('prescan-user-agent').fill('Team-Scanner/2');
    await page.getByTestId('prescan-run').click();
    await page.getByTestId('prescan-status').filter({ hasText: /Prescan (Succeeded|Failed)/ }).waitFor({ timeout: TIMEOUT });
    await page.getByTestId('prescan-notes').waitFor();
    assert.match(await page.getByTestId('prescan-notes').textContent(), /User-Agent `?Team-Scanner\/2`? was not sent: a browser sends its own/);
  });
});

describe('with a prescan server', () => {
  const rig = useRefServer({ token: 'e2e-token-7d2a-client-cert' });

  it('offers the client certificate file and its passphrase; a file OpenSSL made is opened and stored by the server, named, never returned', async () => {
    const page = await rig.open('#/analyses/new');
    await page.getByTestId('new-client-cert-file').waitFor({ timeout: TIMEOUT });
    await page.getByTestId('new-client-cert-pass').waitFor();
    assert.equal(await page.getByTestId('new-client-cert-browser').count(), 0);

    // A file made by OpenSSL 3 (AES-256), sent with the scan and opened by the server.
    const p12 = path.join(repoRoot, 'crates', 'runner', 'tests', 'fixtures', 'openssl3-aes256.p12');
    await page.getByTestId('new-spec-file').setInputFiles(SAMPLE);
    await page.getByTestId('new-client-cert-file').setInputFiles(p12);
    await page.getByTestId('new-client-cert-pass').fill('fixture-pass');
    await page.getByTestId('new-name').fill('Scan with a client certificate');
    await page.getByTestId('new-start-now').check();
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: 'Scan with a client certificate' }).waitFor({ timeout: TIMEOUT });
    const list = await rig.server.api('GET', '/analyses?name=client');
    const id = list.json.analyses?.[0]?.analysis_id ?? list.json._embedded?.analyses?.[0]?.analysis_id;
    const analysis = await rig.server.api('GET', `/analyses/${id}`);
    assert.equal(analysis.json.scans[0].auth_configured.client_certificate, 'openssl3-aes256.p12', analysis.text);
    assert.ok(!analysis.text.includes('fixture-pass'));
    assert.deepEqual(page.watched.problems(), []);
  });
});
