// People in the app (issue 16), against the reference server: two users of
// different roles and teams, made with the administration command
// (`prescan-server users add … --data-dir DIR`) while the server runs. A
// Creator in the team payments shares one analysis with payments and keeps
// another to security leads; a Reviewer in payments sees only the shared one
// (in the list and its count), opens it, finds Configure and Delete disabled
// with the reason, its runs shown and only the credentials left out, cannot
// open the private one by its URL, and reads their name in the header and
// their roles in Settings. When the Creator's roles change while a form is
// open, the server's 403 is shown as it says, what was typed stays, and the
// app asks who she is again. Screenshots: tests/e2e/screenshots/people-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { launchChromium, watch, requireDist, screenshot, DIST, SAMPLE, SCREENSHOTS, TIMEOUT } from './helpers.mjs';
import { startRefServer, serverBinary } from './refserver.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const DESKTOP = { width: 1400, height: 1000 };
const PHONE = { width: 390, height: 844 };
const CREATOR = 'Ann Lee';
const REVIEWER = 'Rex Moreno';
const SHARED = 'Payments API nightly';
const PRIVATE = 'Ann private checkout';

let server;
let browser;
const tokens = {};
const ids = {};
const contexts = [];

/** Runs `prescan-server ARGS --data-dir <the server's>`; its standard output, trimmed. */
async function admin(...args) {
  const { stdout } = await run(serverBinary(), [...args, '--data-dir', server.dataDir]);
  return stdout.trim();
}

/** A JSON API call as `who`. */
async function apiAs(who, method, sub) {
  const r = await fetch(`${server.origin}/api/v1${sub}`, {
    method,
    headers: { accept: 'application/json', authorization: `Bearer ${tokens[who]}` },
  });
  return { status: r.status, json: await r.json().catch(() => null) };
}

/** A page of the app served by the server, pointed at it with `who`'s token. */
async function openAs(who, sub, { viewport = DESKTOP } = {}) {
  // bypassCSP: the server's Content-Security-Policy would refuse axe-core's script tag.
  const context = await browser.newContext({ viewport, bypassCSP: true });
  context.setDefaultTimeout(TIMEOUT);
  contexts.push(context);
  await context.addInitScript(([url, token]) => {
    localStorage.setItem('prescan.backend', 'api');
    localStorage.setItem('prescan.api.url', url);
    localStorage.setItem('prescan.api.token', token);
  }, [server.origin, tokens[who]]);
  const page = await context.newPage();
  page.watched = watch(page);
  await page.goto(`${server.origin}/${sub}`);
  // Who the app acts as is known once the header shows the name.
  await page.getByTestId('account-name').filter({ hasText: who }).waitFor();
  return page;
}

/** The serious and critical accessibility violations axe finds on the page. */
async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE });
  }
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}

/** Nothing makes the page scroll sideways (the phone header fits). */
async function assertNoSidewaysScroll(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${what}: the page is ${scroll}px wide in a ${width}px window`);
}

const reasonOf = async (page, testid) => {
  const id = await page.getByTestId(testid).getAttribute('aria-describedby');
  assert.ok(id, `${testid} points to its reason`);
  return (await page.locator(`[id="${id}"]`).textContent()).trim();
};

before(async () => {
  requireDist();
  // No --token: once a user exists, every call needs one of theirs.
  server = await startRefServer({ dist: DIST });
  await admin('teams', 'add', 'payments', '--name', 'Payments');
  await admin('teams', 'add', 'mobile', '--name', 'Mobile');
  tokens[CREATOR] = await admin('users', 'add', CREATOR, '--role', 'creator', '--team', 'payments', '--email', 'ann@example.com');
  tokens[REVIEWER] = await admin('users', 'add', REVIEWER, '--role', 'reviewer', '--team', 'payments');
  for (const t of Object.values(tokens)) assert.match(t, /^\S{16,}$/, 'a token alone on standard output');
  // A server started without users looks for them at most once a second:
  // wait until it knows them (until then it answers every call as Anonymous).
  for (let i = 0; ; i++) {
    const me = await apiAs(CREATOR, 'GET', '/me');
    if (me.json?.user_display_name === CREATOR) break;
    assert.ok(i < 50, `the server does not know ${CREATOR} yet: ${JSON.stringify(me)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
});

after(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  await browser?.close();
  await server?.close();
});

describe('people: two users of different roles and teams', () => {
  it('a Creator in payments shares one analysis with payments and keeps one to security leads', async () => {
    const page = await openAs(CREATOR, '#/analyses/new');
    await page.getByTestId('new-name').waitFor();

    // Who can see it: security leads only by default; her only team to share with.
    assert.ok(await page.getByTestId('new-visibility-leads').isChecked(), 'security leads only is the default');
    const teams = page.getByTestId('new-visibility-team');
    assert.equal(await teams.count(), 1, 'only her own team is offered (not mobile)');
    assert.equal(await teams.first().getAttribute('value'), 'payments');

    await page.getByTestId('new-name').fill(SHARED);
    await teams.first().check();
    assert.ok(await page.getByTestId('new-visibility-teams').isChecked(), 'ticking a team shares with teams');
    // The specification is uploaded shared like the analysis.
    await page.getByTestId('new-spec-file').setInputFiles(SAMPLE);
    await page.getByTestId('new-spec').first().waitFor();
    await page.getByTestId('new-start-now').check();
    await page.getByTestId('new-permission').check();
    assert.equal(await page.getByTestId('new-spec-share-note').count(), 0, 'the file is shared with payments too');
    for (const v of await violations(page)) assert.fail(`New analysis with Who can see it: ${v}`);
    await screenshot(page, 'people-creator-new-desktop');
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: SHARED }).waitFor();
    assert.equal(await page.getByTestId('detail-visibility').textContent(), 'Security leads and the team Payments (payments)');
    assert.equal(await page.getByTestId('detail-schedule-owner').textContent(), `${CREATOR} (you)`);
    ids.shared = Number(page.url().split('/').pop());
    const specs = await apiAs(CREATOR, 'GET', '/specifications');
    assert.deepEqual(specs.json.specifications[0].visibility, { setup_type: 'SEC_LEADS_AND_TEAM', team_identifiers: ['payments'] });

    await page.goto(`${server.origin}/#/analyses/new`);
    await page.getByTestId('new-name').waitFor();
    await page.getByTestId('new-name').fill(PRIVATE);
    await page.getByTestId('new-urls').fill('https://checkout.example.com/');
    // Saved for later: Configure is available at once (not while it runs).
    await page.getByTestId('new-start-later').check();
    await page.getByTestId('new-permission').check();
    await page.getByTestId('new-submit').click();
    await page.getByTestId('analysis-name').filter({ hasText: PRIVATE }).waitFor();
    assert.equal(await page.getByTestId('detail-visibility').textContent(), 'Security leads only');
    ids.private = Number(page.url().split('/').pop());
    // Her roles hold every action she sees: nothing is refused for her roles.
    assert.equal(await page.getByTestId('actions-refused').count(), 0);
    await screenshot(page, 'people-creator-analysis-desktop');
    assert.deepEqual(page.watched.problems(), [], 'the page reported errors');
  });

  it('a Reviewer in payments sees only the shared analysis, and why Configure and Delete are off', async () => {
    assert.ok(ids.shared && ids.private, 'the first test created both analyses');
    const page = await openAs(REVIEWER, '#/analyses');
    await page.getByTestId('analysis-row').first().waitFor();
    const names = await page.getByTestId('analysis-link').allTextContents();
    assert.deepEqual(names, [SHARED], 'only the analysis shared with payments is listed');
    await page.getByTestId('analyses-count').filter({ hasText: '1 of 1 analysis' }).waitFor();
    // Creating is not for a Reviewer: the button is off and says why.
    assert.ok(await page.getByTestId('create-analysis').isDisabled());
    assert.equal(await reasonOf(page, 'create-analysis'), 'To create an analysis, you need one of the Security Lead, Creator or Submitter roles.');
    await screenshot(page, 'people-reviewer-list-desktop');

    await page.getByTestId('analysis-link').first().click();
    await page.getByTestId('analysis-name').filter({ hasText: SHARED }).waitFor();
    for (const [testid, sentence] of [
      ['action-configure', 'To configure an analysis, you need one of the Security Lead, Creator or Submitter roles.'],
      ['action-delete', 'To delete an analysis, you need one of the Security Lead or Creator roles.'],
    ]) {
      const button = page.getByTestId(testid);
      assert.ok(await button.isDisabled(), `${testid} is disabled`);
      assert.match(await button.getAttribute('class'), /button--unavailable/);
      assert.ok((await reasonOf(page, testid)).endsWith(sentence), `${testid}: ${await reasonOf(page, testid)}`);
    }
    assert.match(await page.getByTestId('actions-refused').textContent(), /^Not with your roles:/);
    // A Reviewer sees results: only which credentials the scans have is left out.
    const withheld = await page.getByTestId('withheld-note').textContent();
    assert.match(withheld, /do not include viewing its configuration/);
    assert.doesNotMatch(withheld, /results/);
    assert.notEqual((await page.getByTestId('detail-last-run').textContent()).trim(), '—', 'the run is shown');
    assert.equal(await page.getByTestId('detail-visibility').textContent(), 'Security leads and the team Payments (payments)');
    assert.equal(await page.getByTestId('detail-schedule-owner').textContent(), CREATOR);
    // Its specification is shared with payments too: the Reviewer can download it.
    await page.getByTestId('download-scan-spec').first().waitFor();
    for (const v of await violations(page)) assert.fail(`the Reviewer's analysis page: ${v}`);
    await screenshot(page, 'people-reviewer-analysis-desktop');

    // Prescan Details: viewing yes, running no.
    await page.getByTestId('view-prescan').first().click();
    await page.getByTestId('prescan-run').waitFor();
    assert.ok(await page.getByTestId('prescan-run').isDisabled());
    assert.equal(await reasonOf(page, 'prescan-run'), 'To run a prescan, you need one of the Security Lead, Creator or Submitter roles.');
    await screenshot(page, 'people-reviewer-prescan-desktop');

    // The private one is not found, as if it did not exist.
    page.allowErrors(/status of 404/);
    await page.goto(`${server.origin}/#/analyses/${ids.private}`);
    await page.getByTestId('analysis-not-found').waitFor();
    assert.match(await page.getByTestId('analysis-not-found').textContent(), /not be shared with you/);
    const direct = await apiAs(REVIEWER, 'GET', `/analyses/${ids.private}`);
    assert.equal(direct.status, 404);

    // The header names them; Settings has their roles and teams.
    await page.getByTestId('account').click();
    await page.getByTestId('me-name').waitFor();
    assert.equal(await page.getByTestId('me-name').textContent(), REVIEWER);
    assert.equal(await page.getByTestId('me-roles').textContent(), 'Reviewer');
    assert.equal(await page.getByTestId('me-teams').textContent(), 'Payments (payments)');
    assert.match(await page.getByTestId('me-not-allowed').textContent(), /delete an analysis/);
    await screenshot(page, 'people-reviewer-settings-desktop');
    assert.deepEqual(page.watched.problems(), [], 'the page reported errors');
  });

  it('on a phone, the header fits the Reviewer\'s name and the list and analysis read well', async () => {
    const page = await openAs(REVIEWER, '#/analyses', { viewport: PHONE });
    await page.getByTestId('analysis-row').first().waitFor();
    assert.ok(await page.getByTestId('account-name').isVisible());
    await assertNoSidewaysScroll(page, 'the list on a phone');
    await screenshot(page, 'people-reviewer-list-phone');
    await page.screenshot({ path: `${SCREENSHOTS}/people-reviewer-header-phone.png` });
    await page.getByTestId('analysis-link').first().click();
    await page.getByTestId('action-delete').waitFor();
    await assertNoSidewaysScroll(page, 'the analysis on a phone');
    for (const v of await violations(page)) assert.fail(`the Reviewer's analysis page on a phone: ${v}`);
    await screenshot(page, 'people-reviewer-analysis-phone');
    await page.screenshot({ path: `${SCREENSHOTS}/people-reviewer-analysis-phone-top.png` });
    await page.getByTestId('account').click();
    await page.getByTestId('me-roles').waitFor();
    await screenshot(page, 'people-reviewer-settings-phone');
  });

  it('roles changed meanwhile: the server\'s 403 is shown as it says, the input stays, the app asks again', async () => {
    const page = await openAs(CREATOR, `#/analyses/${ids.private}`);
    await page.getByTestId('action-configure').click();
    await page.getByTestId('configure-name').fill('Ann private checkout, renamed');
    // An operator makes her a Reviewer while the form is open.
    await admin('users', 'roles', CREATOR, 'reviewer');
    page.allowErrors(/status of 403/);
    await page.getByTestId('configure-save').click();
    const error = page.getByTestId('configure-error');
    await error.waitFor();
    assert.match(await error.textContent(), /To configure an analysis, you need one of the Security Lead, Creator or Submitter roles\./);
    assert.equal(await page.getByTestId('configure-name').inputValue(), 'Ann private checkout, renamed', 'what she typed stays');
    // The app asked who she is again: Save and Configure are off, Save
    // pointing to the server's sentence (said once).
    await page.waitForFunction(() => document.querySelector('[data-testid=configure-save]')?.disabled);
    assert.match(await reasonOf(page, 'configure-save'), /To configure an analysis, you need one of/);
    assert.equal(await page.getByTestId('configure-refused').count(), 0, 'the reason is said once');
    assert.ok(await page.getByTestId('action-configure').isDisabled());
    assert.match(await reasonOf(page, 'action-configure'), /To configure an analysis, you need one of/);
    assert.equal(await page.getByTestId('configure-retry').count(), 0, 'no Retry that would fail the same way');
    await screenshot(page, 'people-creator-refused-desktop');
    await admin('users', 'roles', CREATOR, 'creator');
    assert.deepEqual(page.watched.problems(), [], 'the page reported errors');
  });
});
