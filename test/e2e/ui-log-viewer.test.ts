/**
 * The log viewer in Chromium against a real master and crawls: a finished crawl's log opens at its end, search
 * finds a known line and highlights it, the level filter hides INFO lines, the download link answers the file; a
 * running crawl's new lines appear live at the bottom without a reload.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openBrowser, withPage, type BrowserPage } from '../helpers/browser.js';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished, waitRunning } from '../helpers/jobs.js';
import { rowInView } from '../helpers/log-viewer.js';
import { startMaster } from '../helpers/processes.js';
import { withUsers, type TestUser } from '../helpers/session-users.js';

const builtIn = { username: 'root', password: 'pw-ui-log-viewer' };
const CLOSED = { SCRAPYD_USERNAME: builtIn.username, SCRAPYD_PASSWORD: builtIn.password };
const ann: TestUser = { name: 'ann', password: 'ann-password-12', grants: [{ role: 'viewer', projects: ['demo'] }] };

async function logIn({ context }: BrowserPage) {
  const r = await context.request.post('/api/v1/session', { data: { name: ann.name, password: ann.password } });
  assert.equal(r.status(), 201, await r.text());
}

void test('the log viewer', async (t) => {
  await openBrowser();
  const dataDir = await withUsers(t, [ann], { env: CLOSED });
  const master = await startMaster(t, { dataDir, env: CLOSED });
  const api = new ScrapydClient(master.url, builtIn);
  await deploy(api);
  const quick = await schedule(api, { project: 'demo', spider: 'quick' });
  await waitFinished(api, quick);
  const file = readFileSync(join(dataDir, 'logs', 'demo', 'quick', `${quick}.log`), 'utf8');
  const lastLine = file.trimEnd().split('\n').at(-1)!;

  await t.test('a finished log: opens at its end, search, level filter, download', (t) =>
    withPage(t, master.url, async (p) => {
      const { page } = p;
      await logIn(p);
      await page.goto(`/ui/jobs/${quick}/log?project=demo`);
      await rowInView(page, lastLine.slice(20)); // its time stamp aside
      assert.equal(await page.locator('.log-viewer').getAttribute('data-end'), String(Buffer.byteLength(file)));

      await page.getByRole('searchbox').fill('QUICK_DATA');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('.log-match mark', { hasText: 'QUICK_DATA' }).waitFor();
      await rowInView(page, 'QUICK_DATA');

      assert.ok((await page.locator('.log-line.log-info').count()) > 0);
      await page.getByRole('checkbox', { name: 'INFO' }).uncheck();
      await page.locator('.log-line.log-info').first().waitFor({ state: 'detached' });
      assert.ok((await page.locator('.log-line.log-debug').count()) > 0, 'DEBUG lines stay');

      const href = await page.getByRole('link', { name: 'Download' }).getAttribute('href');
      const download = await p.context.request.get(href!);
      assert.equal(download.status(), 200);
      assert.match(download.headers()['content-disposition']!, new RegExp(`${quick}\\.log`));
      assert.equal(await download.text(), file);
      assert.deepEqual(p.errors(), []);
    }),
  );

  await t.test('a running crawl: new lines appear live at the bottom', (t) =>
    withPage(t, master.url, async (p) => {
      const { page } = p;
      const slow = await schedule(api, { project: 'demo', spider: 'slow', seconds: '60' });
      await waitRunning(api, slow);
      await logIn(p);
      await page.goto(`/ui/jobs/${slow}/log?project=demo`);
      await rowInView(page, 'SLOW_TICK 1');
      const shown = async () => {
        const ticks = await page.locator('.log-line', { hasText: 'SLOW_TICK' }).allTextContents();
        return Math.max(...ticks.map((l) => Number(/SLOW_TICK (\d+)/.exec(l)![1])));
      };
      // Two ticks later (a tick each 0.5 s), without a reload, and scrolled into view (follow mode).
      const now = await shown();
      await rowInView(page, `SLOW_TICK ${now + 2}`);
      assert.ok((await page.locator('.log-status').textContent())!.includes('following'));
      ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: slow }));
    }),
  );
});
