// Accessibility and looks of every page (issue 15): axe-core (npm) checks
// each page at desktop (1400×1000) and phone (390×844) widths, in light and
// dark colour schemes, with real content (a specification previewed, an
// analysis created, a prescan run against a local server): zero serious or
// critical violations. Each state is also saved as a screenshot
// (tests/e2e/screenshots/page-<name>-<width>-<scheme>.png) to look at.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { useApp, loadSample, screenshot, createAnalysis, SAMPLE, TIMEOUT } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const app = useApp();

/** A target API that answers 200 to everything, 404 under /pets/, with CORS. */
async function startTarget() {
  const server = createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': req.headers.origin ?? '*',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      return res.end();
    }
    res.writeHead(req.url.startsWith('/pets/') ? 404 : 200, { ...cors, 'Content-Type': 'application/json' });
    res.end('[]');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** The serious and critical violations axe finds on the page, as lines. */
async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE });
  }
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join(' ')}`),
    }));
  });
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}):\n    ${v.nodes.join('\n    ')}`);
}

const SIZES = [
  { name: 'desktop', viewport: { width: 1400, height: 1000 } },
  // A phone's width (Playwright's isMobile emulation is left out: its layout
  // viewport stops scrolling short of the page's end, a quirk of emulation).
  { name: 'phone', viewport: { width: 390, height: 844 } },
];
const SCHEMES = ['light', 'dark'];

for (const size of SIZES) {
  for (const scheme of SCHEMES) {
    describe(`every page, ${size.name}, ${scheme}`, () => {
      let target;
      before(async () => { target = await startTarget(); });
      after(async () => { await target?.close(); });

      it('has no serious or critical accessibility violations', async () => {
        const context = await app.newContext({
          viewport: size.viewport,
          colorScheme: scheme,
        });
        const page = await app.open({ context });
        const found = [];
        const check = async (name) => {
          // Let transitions and live regions settle before looking.
          await page.waitForTimeout(150);
          for (const v of await violations(page)) found.push(`${name}: ${v}`);
          // Nothing makes the page itself scroll sideways (wide tables scroll in their frame).
          const [wide, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
          if (wide > width) found.push(`${name}: the page is ${wide}px wide in a ${width}px window`);
          await screenshot(page, `page-${name}-${size.name}-${scheme}`);
        };

        await check('preview-empty');
        await loadSample(page);
        await check('preview-loaded');

        await page.goto(`${app.server.url}#/analyses/new`);
        await page.getByTestId('new-name').waitFor({ timeout: TIMEOUT });
        await check('new-analysis');
        await createAnalysis(page, app.server.url, { name: 'Accessible API', file: SAMPLE });
        await check('analysis');

        page.allowErrors(/Failed to load resource: the server responded with a status of 404/);
        await page.getByTestId('view-prescan').first().click();
        await page.getByTestId('prescan-base-url').fill(target.url);
        await page.getByTestId('prescan-run').click();
        await page.getByTestId('prescan-status').filter({ hasText: /Prescan (Succeeded|Failed)/ }).waitFor({ timeout: TIMEOUT });
        await check('prescan');

        await page.goto(`${app.server.url}#/analyses`);
        await page.getByRole('heading', { name: 'Dynamic Analyses', level: 1 }).waitFor();
        await page.getByText('Accessible API').first().waitFor();
        await check('analyses');

        await page.goto(`${app.server.url}#/settings`);
        await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
        await check('settings');

        assert.deepEqual(found, [], found.join('\n'));
      });
    });
  }
}
