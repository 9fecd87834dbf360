/**
 * The projects and spider pages in Chromium against a real master and its agent: a maintainer uploads an egg from
 * the browser (a bad one's error shown, then a real one: its version and spiders), edits the project policy and
 * deletes a version; creates a webhook (listed, read back through the REST API, its test delivery signed with the
 * secret shown once) and moves it (refused without its secret, saved with a new one); after two real crawls the
 * spider page charts both runs with their baseline and compares their stats side by side; a viewer is offered no
 * upload, delete or edit, nor a webhook's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openBrowser, withPage, type BrowserPage } from '../helpers/browser.js';
import { buildEgg } from '../helpers/eggs.js';
import { RestClient } from '../helpers/http.js';
import { startMaster } from '../helpers/processes.js';
import { startReceiver } from '../helpers/receivers.js';
import { withUsers, type TestUser } from '../helpers/session-users.js';
import { waitFor } from '../helpers/wait.js';

const mae: TestUser = {
  name: 'mae',
  password: 'mae-password-12',
  grants: [{ role: 'maintainer', projects: ['demo'] }],
};
const vic: TestUser = { name: 'vic', password: 'vic-password-12', grants: [{ role: 'viewer', projects: ['demo'] }] };

async function logIn({ page }: BrowserPage, u: TestUser, path: string) {
  await page.goto(`/ui/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel('User name').fill(u.name);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await at(page, `/ui${path}`);
}

const at = (page: Page, path: string) =>
  page.waitForFunction((want) => {
    const { pathname } = (globalThis as unknown as { location: { pathname: string } }).location;
    return pathname === want;
  }, path);

/** Console errors, but for the 401 of asking who one is before the login and the webhook moved without its secret. */
const unexpectedErrors = (p: BrowserPage) =>
  p
    .errors()
    .filter(
      (l) =>
        !(/status of 401/.test(l.text) && /\/api\/v1\/session$/.test(l.url)) &&
        !(/status of 400/.test(l.text) && /\/api\/v1\/webhooks\/wh_[0-9a-f]+$/.test(l.url)),
    );

void test('projects and a spider page in the browser', async (t) => {
  await openBrowser(); // no Chromium: fail now, before the users are made
  const dataDir = await withUsers(t, [mae, vic]);
  const master = await startMaster(t, { dataDir });
  const rest = new RestClient(master.url);
  const egg = await buildEgg('demo');

  await t.test('a maintainer uploads an egg, edits the project policy, deletes a version', (t) =>
    withPage(t, master.url, async (p) => {
      const { page } = p;
      await logIn(p, mae, '/projects');
      await page.getByText('No project yet.').waitFor();
      await page.getByRole('button', { name: 'New project (upload its first egg)' }).click();
      const form = page.getByRole('form', { name: 'Upload an egg' });
      await form.getByLabel('Project').fill('demo');
      await form.getByLabel('Version').fill('1.0');
      const file = (buffer: Buffer) => ({ name: 'demo.egg', mimeType: 'application/octet-stream', buffer });
      await form.getByLabel('Egg').setInputFiles(file(Buffer.from('not an egg at all')));
      await form.getByRole('button', { name: 'Upload' }).click();
      const refused = form.getByRole('alert');
      await refused.waitFor();
      assert.match(await refused.innerText(), /\S+\s+\S.*/, 'the code and the message of the refusal');

      await form.getByLabel('Egg').setInputFiles(file(egg));
      await form.getByRole('button', { name: 'Upload' }).click();
      await at(page, '/ui/projects/demo');
      await page.locator('tr[data-version="1_0"]').waitFor();
      await page.getByRole('link', { name: 'quick', exact: true }).waitFor();

      const again = page.getByRole('form', { name: 'Upload an egg' });
      await again.getByLabel('Version').fill('2.0');
      await again.getByLabel('Egg').setInputFiles(file(egg));
      await again.getByRole('button', { name: 'Upload' }).click();
      await again.getByText('Version 2_0 of demo deployed').waitFor();
      await page.locator('tr[data-version="2_0"]').getByText('latest').waitFor();

      await page.getByRole('button', { name: 'Edit the policy' }).click();
      const policy = page.getByRole('form', { name: 'Edit the project policy' });
      await policy.getByLabel('Running cap').fill('2');
      await policy.getByLabel('Start rate (count/seconds)').fill('10/60');
      await policy.getByRole('button', { name: 'Save the policy' }).click();
      await page.locator('.policy-facts').getByText('10/60').waitFor();
      const saved = await rest.get('/api/v1/projects/demo/policy');
      assert.deepEqual([saved.maxRunning, saved.startRate], [2, { count: 10, periodSeconds: 60 }]);

      const row = page.locator('tr[data-version="1_0"]');
      await row.getByRole('button', { name: 'Delete' }).click();
      await row.getByRole('button', { name: 'Delete 1_0?' }).click();
      await row.waitFor({ state: 'detached' });
      const left = (await rest.get('/api/v1/projects/demo')) as { versions: { name: string }[] };
      assert.deepEqual(
        left.versions.map((v) => v.name),
        ['2_0'],
      );
    }),
  );

  await t.test('a maintainer creates a webhook, tests it and moves it', async (t) => {
    const receiver = await startReceiver(t);
    await withPage(t, master.url, async (p) => {
      const { page } = p;
      await logIn(p, mae, '/projects/demo');
      await page.getByText('No webhook reaches this project.').waitFor();
      await page.getByRole('button', { name: 'New webhook' }).click();
      const form = page.getByRole('form', { name: 'New webhook' });
      await form.getByLabel('Name (optional)').fill('ci');
      await form.getByLabel('URL').fill(`${receiver.url}/hook`);
      await form.getByLabel('Spider').selectOption('quick');
      for (const e of ['job.started', 'job.finished', 'job.retried']) await form.getByLabel(e).uncheck();
      await form.getByRole('button', { name: 'Create webhook' }).click();
      const secret = await page.getByLabel('The signing secret').inputValue();
      await page.getByRole('button', { name: 'Done' }).click();
      const row = page.locator('tr[data-webhook="ci"]');
      await row.getByText('spider quick').waitFor();
      assert.match(await row.innerText(), /job\.failed/);
      const { webhooks } = (await rest.get('/api/v1/webhooks')) as {
        webhooks: {
          name: string;
          url: string;
          project: string;
          spider: string;
          events: string[];
          enabled: boolean;
        }[];
      };
      assert.deepEqual(
        webhooks.map((w) => [w.name, w.url, w.project, w.spider, w.events, w.enabled]),
        [['ci', `${receiver.url}/hook`, 'demo', 'quick', ['job.failed'], true]],
      );
      receiver.verifyWith(secret);
      await row.getByRole('button', { name: 'Send test' }).click();
      await receiver.until(() => receiver.received.some((r) => r.path === '/hook'), { what: 'the signed test' });
      await page.locator('.delivery-log').waitFor();

      // Moved to another URL: refused without the secret (the master's message shown), saved with a new one.
      await row.getByRole('button', { name: 'Edit ci' }).click();
      const edit = page.getByRole('form', { name: 'Edit webhook ci' });
      await edit.getByLabel('URL', { exact: true }).fill(`${receiver.url}/moved`);
      await edit.getByRole('button', { name: 'Save webhook' }).click();
      await edit
        .getByRole('alert')
        .filter({ hasText: /SECRET_REQUIRED.*signing secret/ })
        .waitFor();
      await edit.getByLabel('Make a new secret').check();
      await edit.getByRole('button', { name: 'Save webhook' }).click();
      const rotated = await page.getByLabel('The signing secret').inputValue();
      assert.notEqual(rotated, secret);
      await page.getByRole('button', { name: 'Done' }).click();
      await row.getByText(`${receiver.url}/moved`).waitFor();
      assert.deepEqual(unexpectedErrors(p), []);
    });
  });

  // Two real crawls of one spider, with different item counts.
  for (const [jobId, items] of [
    ['run-a', '2'],
    ['run-b', '5'],
  ] as const) {
    await rest.ok('POST', '/api/v1/jobs', { project: 'demo', spider: 'quick', jobId, settings: { DEMO_ITEMS: items } });
    await waitFor(async () => (await rest.get(`/api/v1/jobs/${jobId}`)).state === 'finished', {
      what: `${jobId} finished`,
      timeoutMs: 90_000,
    });
  }

  await t.test('the spider page charts both runs with the baseline and compares their stats', (t) =>
    withPage(t, master.url, async (p) => {
      const { page } = p;
      await logIn(p, mae, '/projects/demo/spiders/quick');
      await page.locator('figure.chart[data-points="2"] canvas').first().waitFor();
      assert.equal(await page.locator('tr[data-job]').count(), 2);
      assert.equal(await page.locator('[data-fact="success-rate"]').innerText(), '100 % of 2 runs');
      assert.equal(await page.locator('[data-fact="baseline"]').innerText(), 'median 3.5 of the last 2 succeeded runs');
      await page.getByLabel('Compare run run-a').check();
      await page.getByLabel('Compare run run-b').check();
      await page.getByRole('button', { name: 'Compare the two picked runs' }).click();
      const items = page.getByRole('table', { name: 'Compared stats' }).locator('tr[data-stat="item_scraped_count"]');
      await items.waitFor();
      assert.deepEqual(await items.locator('td').allInnerTexts(), ['item_scraped_count', '2', '5', '+3 (+150 %)']);
      assert.deepEqual(unexpectedErrors(p), [], 'no console error (a CSP violation would be one)');
    }),
  );

  await t.test('a viewer is offered no upload, delete or edit', (t) =>
    withPage(t, master.url, async (p) => {
      const { page } = p;
      await logIn(p, vic, '/projects/demo');
      await page.locator('tr[data-version="2_0"]').waitFor();
      await page.getByRole('heading', { name: 'Policy of the project' }).waitFor();
      await page.getByText('Running cap').waitFor();
      await page.locator('tr[data-webhook="ci"]').getByRole('button', { name: 'Deliveries' }).waitFor();
      for (const name of ['Upload', 'Delete', 'Edit the policy', 'New webhook', 'Edit ci', 'Send test']) {
        assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} button`);
      }
      await page.getByRole('link', { name: 'Projects', exact: true }).first().click();
      await page.getByRole('table', { name: 'Projects' }).waitFor();
      assert.equal(await page.getByRole('button', { name: /New project/ }).count(), 0);
      await page.goto('/ui/projects/demo/spiders/quick');
      await page.locator('tr[data-job]').first().waitFor();
      await page.getByRole('heading', { name: 'Policy of the spider' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Edit the policy' }).count(), 0);
    }),
  );
});
