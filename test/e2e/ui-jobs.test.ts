/**
 * The Jobs pages in Chromium against a real master and its embedded agent (one slot) with real crawls: an operator
 * schedules a crawl from the form, sees it wait (and why) behind a running one, cancels that one from the list, and
 * watches the new job go pending → running → finished in place without a reload; its page shows its stats. A viewer
 * is offered neither scheduling nor cancelling, and a cancel forced through the API is refused. Under the filter
 * "running", a job that starts comes into the list and leaves it when it ends, without a reload.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { withPage, type BrowserPage } from '../helpers/browser.js';
import { buildEgg } from '../helpers/eggs.js';
import { request } from '../helpers/http.js';
import { adminTokenFor, startMaster } from '../helpers/processes.js';
import { withUsers, type TestUser } from '../helpers/session-users.js';
import { waitFor } from '../helpers/wait.js';

const olga: TestUser = {
  name: 'olga',
  password: 'olga-password-12',
  grants: [{ role: 'operator', projects: ['demo'] }],
};
const vic: TestUser = { name: 'vic', password: 'vic-password-12', grants: [{ role: 'viewer', projects: ['demo'] }] };

interface Api {
  (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
}

function restAs(url: string, bearer: string): Api {
  return async (method, path, body) => {
    const res = await request(`${url}${path}`, {
      method,
      bearer,
      ...(body !== undefined && {
        body: Buffer.isBuffer(body) ? body : JSON.stringify(body),
        headers: { 'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json' },
      }),
    });
    return { status: res.status, json: res.json };
  };
}

async function logIn({ page }: BrowserPage, u: TestUser, path: string) {
  await page.goto(`/ui${path}`);
  await page.getByLabel('User name').fill(u.name);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Jobs' }).waitFor();
}

/**
 * Records, in the page, every state each job row shows (a row's `data-state`), and marks the document (a reload
 * would lose the mark). A string: tsx would wrap a function's inner closures in a helper the page lacks.
 */
const WATCH_STATES = `(() => {
  window.seen = {};
  window.notReloaded = true;
  const record = () => {
    for (const row of document.querySelectorAll('tr[data-job]')) {
      const list = (window.seen[row.dataset.job] ??= []);
      if (list.at(-1) !== row.dataset.state) list.push(row.dataset.state);
    }
  };
  record();
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'],
  });
})()`;
const watchStates = (page: Page) => page.evaluate(WATCH_STATES);

const seenStates = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as { seen?: Record<string, string[]>; notReloaded?: boolean };
    return { seen: g.seen ?? {}, notReloaded: g.notReloaded === true };
  });

/** Console errors, but for the 401 of asking who one is before the login, and a refusal the test forced. */
const unexpectedErrors = (p: BrowserPage, forced?: string) =>
  p
    .errors()
    .filter((l) => !(/status of 401/.test(l.text) && /\/api\/v1\/session$/.test(l.url)))
    .filter((l) => forced === undefined || !l.url.endsWith(forced));

// One master for the file (its users take seconds to make); one slot, so a second job waits behind the first.
void test('the Jobs pages', async (t) => {
  const dataDir = await withUsers(t, [olga, vic]);
  const master = await startMaster(t, { dataDir, env: { SCRAPYARD_MAX_PROC: '1' } });
  const api = restAs(master.url, adminTokenFor(master.url)!);
  const egg = await buildEgg('demo');
  const deployed = await api('POST', '/api/v1/projects/demo/versions?version=1', egg);
  assert.equal(deployed.status, 201, JSON.stringify(deployed.json));

  await t.test('an operator schedules a crawl, cancels the one it waits for, and watches it run live', (t) =>
    operator(t, master.url, api),
  );
  await t.test('a viewer is offered no schedule or cancel, and a forced cancel is refused', (t) =>
    viewer(t, master.url, api),
  );
  await t.test('under the filter "running", a job comes in when it starts and leaves when it ends', (t) =>
    runningFilter(t, master.url, api),
  );
});

async function operator(t: TestContext, url: string, api: Api) {
  // The blocker holds the only slot until it is cancelled.
  const blocker = await api('POST', '/api/v1/jobs', {
    project: 'demo',
    spider: 'slow',
    jobId: 'blocker',
    args: { seconds: '120' },
  });
  assert.equal(blocker.status, 201, JSON.stringify(blocker.json));
  await waitFor(async () => (await api('GET', '/api/v1/jobs/blocker')).json.state === 'running', {
    what: 'the blocker running',
    timeoutMs: 60_000,
  });

  await withPage(t, url, async (p) => {
    const { page } = p;
    await logIn(p, olga, '/jobs');
    const blockerRow = page.locator('tr[data-job="blocker"]');
    await blockerRow.and(page.locator('[data-state="running"]')).waitFor();
    await watchStates(page);

    await page.getByRole('button', { name: 'Schedule a job' }).click();
    const form = page.getByRole('form', { name: 'Schedule a job' });
    await form.getByLabel('Project').selectOption('demo');
    await form.getByLabel('Spider').selectOption('slow');
    await form.getByLabel('Arguments (name=value a line)').fill('seconds=3');
    await form.getByLabel('Tags').fill('');
    await form.getByRole('button', { name: 'Schedule' }).click();
    await form.waitFor({ state: 'detached' });

    // The new job: on top, pending, saying why it waits.
    const newRow = page.locator('tr[data-job]:not([data-job="blocker"])').first();
    await newRow.waitFor();
    const jobId = (await newRow.getAttribute('data-job'))!;
    await newRow.getByText('matching agent is full').waitFor();
    assert.equal(await newRow.getAttribute('data-state'), 'pending');

    // Cancel the running blocker from the list: select it, cancel, confirm.
    await blockerRow.getByRole('checkbox', { name: 'Select job blocker' }).check();
    await page.getByRole('button', { name: 'Cancel selected (1)' }).click();
    await page.getByRole('button', { name: 'Cancel 1 job?' }).click();
    await blockerRow.and(page.locator('[data-state="finished"]')).waitFor({ timeout: 60_000 });
    assert.match(await blockerRow.innerText(), /cancelled/);

    // The slot is free: the new job runs and finishes, in place, without a reload.
    const row = page.locator(`tr[data-job="${jobId}"]`);
    await row.and(page.locator('[data-state="finished"]')).waitFor({ timeout: 60_000 });
    assert.match(await row.innerText(), /succeeded/);
    const { seen, notReloaded } = await seenStates(page);
    assert.ok(notReloaded, 'the page was not reloaded');
    assert.deepEqual(seen[jobId], ['pending', 'running', 'finished']);
    assert.deepEqual(seen['blocker'], ['running', 'finished']);

    // Its page: facts and stats.
    await row.getByRole('link', { name: jobId }).click();
    await page.getByRole('heading', { name: `Job ${jobId}` }).waitFor();
    await page.locator('[data-fact="outcome"] dd', { hasText: 'succeeded' }).waitFor();
    await page.locator('[data-fact="finish reason"] dd', { hasText: 'finished' }).waitFor();
    const items = Number(await page.locator('[data-counter="items"] dd').innerText());
    assert.ok(items >= 1, `items counted: ${items}`);
    assert.equal(await page.getByRole('button', { name: 'Cancel job' }).count(), 0, 'a finished job: no cancel');
    assert.deepEqual(unexpectedErrors(p), []);
  });
}

async function viewer(t: TestContext, url: string, api: Api) {
  // A job no agent can take (a tag none has): it waits, and says why.
  const waiting = await api('POST', '/api/v1/jobs', {
    project: 'demo',
    spider: 'quick',
    jobId: 'gpu-job',
    tags: ['gpu'],
  });
  assert.equal(waiting.status, 201, JSON.stringify(waiting.json));

  await withPage(t, url, async (p) => {
    const { page } = p;
    await logIn(p, vic, '/jobs');
    const row = page.locator('tr[data-job="gpu-job"]');
    await row.getByText('no online agent has tags [gpu]').waitFor();
    await page.locator('tr[data-job="blocker"]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Schedule a job' }).count(), 0);
    assert.equal(await page.getByRole('checkbox').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Cancel selected/ }).count(), 0);

    await row.getByRole('link', { name: 'gpu-job' }).click();
    await page.locator('[data-fact="waiting because"] dd', { hasText: 'no online agent has tags [gpu]' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel job' }).count(), 0);

    const forced = await page.evaluate(async () => {
      const who = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const r = await fetch('/api/v1/jobs/gpu-job/cancel', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': who.csrfToken },
        body: JSON.stringify({ project: 'demo' }),
      });
      return { status: r.status, body: (await r.json()) as { error: { code: string } } };
    });
    assert.deepEqual([forced.status, forced.body.error.code], [403, 'FORBIDDEN']);
    assert.equal((await api('GET', '/api/v1/jobs/gpu-job')).json.state, 'pending', 'still there');
    assert.deepEqual(unexpectedErrors(p, '/api/v1/jobs/gpu-job/cancel'), []);
  });
}

async function runningFilter(t: TestContext, url: string, api: Api) {
  await withPage(t, url, async (p) => {
    const { page } = p;
    await logIn(p, vic, '/jobs?state=running');
    await page.getByText('No job matches these filters.').waitFor();
    await watchStates(page);
    const body = { project: 'demo', spider: 'slow', jobId: 'filtered', args: { seconds: '120' } };
    const started = await api('POST', '/api/v1/jobs', body);
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const row = page.locator('tr[data-job="filtered"]');
    await row.and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 });
    const cancelled = await api('POST', '/api/v1/jobs/filtered/cancel', { project: 'demo' });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.json));
    await row.waitFor({ state: 'detached', timeout: 60_000 });
    const { seen, notReloaded } = await seenStates(page);
    assert.ok(notReloaded, 'the page was not reloaded');
    assert.deepEqual(seen['filtered'], ['running'], 'never shown in another state');
    assert.equal((await api('GET', '/api/v1/jobs/filtered')).json.state, 'finished');
    assert.deepEqual(unexpectedErrors(p), []);
  });
}
