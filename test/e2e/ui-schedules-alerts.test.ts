/**
 * The Schedules and Alerts pages in Chromium against a real master and its embedded agent: a maintainer adds a
 * webhook channel pointing at a receiver the test starts and sends it a test (the delivery log says delivered),
 * moves it to another URL (refused without its secret, the master's message shown; saved with it), makes an alert
 * rule, creates a schedule while its next fires show as the cron is typed (and an invalid cron's error) with an
 * overlap policy and run limits (a value the master refuses shown beside its field; the saved ones read back),
 * pauses and resumes it, runs it now and sees the fire in its history; that run crashes and the rule's alert shows
 * up firing on the Alerts page without a reload. A viewer sees neither create, edit, pause nor run buttons.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openBrowser, withPage, type BrowserPage } from '../helpers/browser.js';
import { buildEgg } from '../helpers/eggs.js';
import { request } from '../helpers/http.js';
import { adminTokenFor, startMaster } from '../helpers/processes.js';
import { startReceiver, type Receiver } from '../helpers/receivers.js';
import { withUsers, type TestUser } from '../helpers/session-users.js';
import { waitFor } from '../helpers/wait.js';

const mia: TestUser = { name: 'mia', password: 'mia-password-12', grants: [{ role: 'maintainer', projects: '*' }] };
const vic: TestUser = { name: 'vic', password: 'vic-password-12', grants: [{ role: 'viewer', projects: ['demo'] }] };

async function logIn({ page }: BrowserPage, u: TestUser, path: string) {
  await page.goto(`/ui/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel('User name').fill(u.name);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Console errors but the refusals the app expects (who one is before the login, the invalid cron's preview, the
 * channel moved without its secret, the schedule with a run limit out of range).
 */
const unexpectedErrors = (p: BrowserPage) =>
  p
    .errors()
    .filter(
      (l) =>
        !(/status of 401/.test(l.text) && l.url.endsWith('/api/v1/session')) &&
        !(/status of 400/.test(l.text) && l.url.endsWith('/api/v1/schedules/preview')) &&
        !(/status of 400/.test(l.text) && /\/api\/v1\/channels\/ch_[0-9a-f]+$/.test(l.url)) &&
        !(/status of 400/.test(l.text) && l.url.endsWith('/api/v1/schedules')),
    );

void test('schedules and alerts in the browser', async (t) => {
  await openBrowser(); // no Chromium: fail now, before the users are made
  const dataDir = await withUsers(t, [mia, vic]);
  const master = await startMaster(t, { dataDir, env: { SCRAPYARD_ALERT_CHECK_SECONDS: '1' } });
  const uploaded = await request(`${master.url}/api/v1/projects/demo/versions?version=1`, {
    method: 'POST',
    bearer: adminTokenFor(master.url)!,
    body: await buildEgg('demo'),
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(uploaded.status, 201, uploaded.text);
  const receiver = await startReceiver(t);
  let scheduleUrl = '';
  await t.test(
    'a maintainer: a channel tested, a rule, a schedule previewed, paused, resumed, run, and its alert',
    (t) =>
      withPage(t, master.url, async (p) => {
        await logIn(p, mia, '/alerts');
        await channelAndRule(p.page, receiver);
        scheduleUrl = await createAndRunSchedule(p.page);
        const read = await request(`${master.url}/api/v1/schedules/${scheduleUrl.split('/').pop()!}`, {
          bearer: adminTokenFor(master.url)!,
        });
        const saved = read.json as { overlap: string; policy: unknown };
        assert.deepEqual([saved.overlap, saved.policy], ['allow', { maxRunSeconds: 600, retryOn: ['lost'] }]);
        // The run crashes (DEMO_CRASH): the rule's alert appears on the open Alerts page, live.
        await p.page.getByRole('link', { name: 'Alerts', exact: true }).click();
        await p.page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
        const firing = p.page.locator(
          'section[data-alerts="firing-and-pending"] tr[data-alert="demo/quick"][data-state="firing"]',
        );
        await firing.waitFor({ timeout: 120_000 });
        assert.match(await firing.innerText(), /crawl failed: demo\/quick/);
        assert.deepEqual(unexpectedErrors(p), []);
      }),
  );
  await t.test('a viewer sees no create, edit, pause, run or mute button', (t) =>
    withPage(t, master.url, async (p) => {
      const { page } = p;
      await logIn(p, vic, '/schedules');
      await page.locator('tr[data-schedule="crashy"]').waitFor();
      assert.equal(await page.getByRole('link', { name: 'New schedule' }).count(), 0);
      assert.equal(
        await page
          .getByRole('button')
          .filter({ hasText: /Pause|Resume|Run now/ })
          .count(),
        0,
      );
      await page.goto(scheduleUrl);
      await page.getByRole('heading', { name: 'crashy' }).waitFor();
      await page.getByRole('heading', { name: 'Fire history' }).waitFor();
      assert.equal(
        await page
          .getByRole('button')
          .filter({ hasText: /Edit|Pause|Resume|Run now|Delete/ })
          .count(),
        0,
      );
      await page.getByRole('link', { name: 'Alerts', exact: true }).click();
      await page.locator('tr[data-rule="quick crashes"]').waitFor();
      assert.equal(
        await page
          .getByRole('button')
          .filter({ hasText: /New rule|New channel|Edit|Mute|Delete/ })
          .count(),
        0,
      );
      assert.deepEqual(unexpectedErrors(p), []);
    }),
  );
});

async function channelAndRule(page: Page, receiver: Receiver) {
  await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'New channel' }).click();
  const form = page.getByRole('form', { name: 'New channel' });
  await form.getByLabel('Name', { exact: true }).fill('ops hook');
  await form.getByLabel('URL').fill(`${receiver.url}/alerts`);
  await form.getByRole('button', { name: 'Create channel' }).click();
  await page.getByRole('status').filter({ hasText: 'signing secret' }).waitFor();
  const secret = await page.getByLabel('The signing secret').inputValue();
  await page.getByRole('button', { name: 'Done' }).click();
  const row = page.locator('tr[data-channel="ops hook"]');
  await row.getByRole('button', { name: 'Send test' }).click();
  await waitFor(() => receiver.received.some((r) => r.path === '/alerts'), { what: 'the test message' });
  // The log was read when the test was queued: it says delivered once the master has recorded the answer.
  const delivered = page.locator('.delivery-log tr[data-delivery="channel.test"][data-state="delivered"]');
  await waitFor(
    async () => {
      await page.locator('.delivery-log').getByRole('button', { name: 'Refresh' }).click();
      return (await delivered.count()) === 1;
    },
    { what: 'the test delivery logged as delivered' },
  );

  // Moved to another URL: the master wants its secret again, and says so; given, the move is saved.
  await row.getByRole('button', { name: 'Edit ops hook' }).click();
  const edit = page.getByRole('form', { name: 'Edit channel ops hook' });
  await edit.getByLabel('URL').fill(`${receiver.url}/moved`);
  await edit.getByRole('button', { name: 'Save channel' }).click();
  await edit
    .getByRole('alert')
    .filter({ hasText: /SECRET_REQUIRED.*give its secret again/ })
    .waitFor();
  await edit.locator('.field-error').filter({ hasText: 'give its secret again' }).waitFor();
  await edit.getByLabel('Signing secret').fill(secret);
  await edit.getByRole('button', { name: 'Save channel' }).click();
  await row.getByText(`${receiver.url}/moved`).waitFor();
  assert.equal(await edit.count(), 0);

  await page.getByRole('button', { name: 'New rule' }).click();
  const rule = page.getByRole('form', { name: 'New rule' });
  await rule.getByLabel('Name', { exact: true }).fill('quick crashes');
  await rule.getByLabel('Project (empty: every project)').fill('demo');
  await rule.getByLabel('Spider (empty: every spider)').fill('quick');
  await rule.getByLabel('ops hook').check();
  await rule.getByRole('button', { name: 'Create rule' }).click();
  const saved = page.locator('tr[data-rule="quick crashes"]');
  await saved.waitFor();
  assert.match(await saved.innerText(), /demo\/quick: a crawl ends failed, timed_out, lost, start_failed/);
}

async function createAndRunSchedule(page: Page): Promise<string> {
  await page.getByRole('link', { name: 'Schedules', exact: true }).click();
  await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
  await page.getByText('No schedules yet.').waitFor();
  await page.getByRole('link', { name: 'New schedule' }).click();
  const form = page.getByRole('form', { name: 'New schedule' });
  await form.getByLabel('Name (optional)').fill('crashy');
  await form.getByLabel('Project').selectOption('demo');
  await form.getByLabel('Spider').fill('quick');
  await form.getByLabel('Zone').selectOption('Asia/Tokyo');
  const preview = page.locator('#cron-preview');
  // An invalid expression: the master's refusal, inline.
  await form.getByLabel('Cron', { exact: true }).fill('* * *');
  await preview
    .locator('[role="alert"]')
    .filter({ hasText: /BAD_REQUEST.*invalid/i })
    .waitFor();
  // Typed on: the next fires in the chosen zone replace the error.
  await form.getByLabel('Cron', { exact: true }).fill('30 2 * * *');
  const fires = preview.locator('.next-fires li');
  await fires.first().waitFor();
  const shown = await fires.allInnerTexts();
  assert.equal(shown.length, 5);
  for (const f of shown) assert.match(f, /T02:30:00\+09:00$/, f);
  await form.getByLabel('Settings (key=value a line)').fill('DEMO_CRASH=1');
  await form.getByText('Options', { exact: true }).click();
  await form.getByLabel('While the previous job runs').selectOption('allow');
  await form.getByText('Run limits of its jobs').click();
  await form.getByLabel('Run time limit (s)').fill('600');
  await form.getByLabel('Retry on').fill('lost');
  // Out of the master's range: its refusal names the field, shown beside it.
  await form.getByLabel('Kill grace (s)').fill('99999');
  await form.getByRole('button', { name: 'Create schedule' }).click();
  await form.locator('label', { hasText: 'Kill grace (s)' }).locator('.field-error').waitFor();
  await form.getByLabel('Kill grace (s)').fill('');
  await form.getByRole('button', { name: 'Create schedule' }).click();

  await page.getByRole('heading', { name: 'crashy', level: 1 }).waitFor();
  assert.equal(await page.getByTestId('schedule-policy').innerText(), 'Retry on: lost; Run time limit (s): 600');
  const state = page.getByTestId('schedule-state');
  assert.equal(await state.innerText(), 'enabled');
  await page.getByRole('button', { name: 'Pause crashy' }).click();
  await page.getByTestId('schedule-state').filter({ hasText: 'paused' }).waitFor();
  await page.getByRole('button', { name: 'Resume crashy' }).click();
  await page.getByTestId('schedule-state').filter({ hasText: 'enabled' }).waitFor();
  await page.getByRole('button', { name: 'Run crashy now' }).click();
  const fire = page.locator('table.fire-history tr[data-trigger="manual"][data-status="queued"]');
  await fire.waitFor();
  assert.match(await fire.innerText(), /run now\s+queued a job/);
  return new URL(page.url()).pathname;
}
