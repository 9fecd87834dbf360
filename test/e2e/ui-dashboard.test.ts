/**
 * The dashboard and the nodes pages in Chromium against a real master with its embedded agent and a real crawl:
 * the admin's dashboard shows the node online and the counts, and a crawl scheduled through the API shows up as
 * running (with its item count climbing) and then in the finished count, without a reload; the nodes page lists
 * the node, its page draws host charts (and streams the agent's next samples into them), a cordon (from the page)
 * and an uncordon (from the API) show live; enroll shows the commands with the master's URL and a key. A viewer gets no Nodes nav, no node page, and a cordon forced
 * through the API is refused.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { withPage, type BrowserPage } from '../helpers/browser.js';
import { buildEgg } from '../helpers/eggs.js';
import { RestClient, request } from '../helpers/http.js';
import { adminTokenFor, startMaster } from '../helpers/processes.js';
import { withUsers, type TestUser } from '../helpers/session-users.js';
import { waitFor } from '../helpers/wait.js';

const ann: TestUser = { name: 'ann', password: 'ann-password-12', grants: [{ role: 'admin', projects: '*' }] };
const vic: TestUser = { name: 'vic', password: 'vic-password-12', grants: [{ role: 'viewer', projects: '*' }] };

async function logIn({ page }: BrowserPage, u: TestUser) {
  await page.goto('/ui/login');
  await page.getByLabel('User name').fill(u.name);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

const counter = (page: Page, id: string) => page.locator(`[data-counter="${id}"] dd`);

/** Waits until a locator's text is `want` (the page updates it live). */
async function waitText(page: Page, selector: string, want: string | RegExp) {
  await page.waitForFunction(
    ([sel, source, flags]) => {
      // In the page (this file is type-checked without the DOM's types).
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } })
        .document;
      const text = doc.querySelector(sel)?.textContent?.trim() ?? '';
      return new RegExp(source, flags).test(text);
    },
    [
      selector,
      typeof want === 'string' ? `^${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` : want.source,
      typeof want === 'string' ? '' : want.flags,
    ] as const,
  );
}

/** Marks the document: the mark is gone after a reload, so a test can prove it saw a change without one. */
const mark = (page: Page) => page.evaluate(() => ((globalThis as Record<string, unknown>).__noReload = true));
const stillMarked = (page: Page) => page.evaluate(() => (globalThis as Record<string, unknown>).__noReload === true);

void test('the dashboard and the nodes pages', async (t) => {
  const dataDir = await withUsers(t, [ann, vic]);
  const master = await startMaster(t, { dataDir });
  const rest = new RestClient(master.url);
  const bearer = adminTokenFor(master.url)!;
  const up = await request(`${master.url}/api/v1/projects/demo/versions?version=1`, {
    method: 'POST',
    bearer,
    body: await buildEgg('demo'),
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(up.status, 201, up.text);
  const nodeId = await waitFor(
    async () => {
      const { nodes } = (await rest.get('/api/v1/nodes')) as { nodes: { nodeId: string; online: boolean }[] };
      return nodes.find((n) => n.online)?.nodeId;
    },
    { what: 'the embedded node online' },
  );

  await t.test('an admin: live counters and running jobs, the node, its charts, cordon, enroll', (t) =>
    admin(t, master.url, rest, nodeId),
  );
  await t.test('a viewer: no Nodes nav, no node page, a forced cordon refused', (t) => viewer(t, master.url, nodeId));
});

async function admin(t: TestContext, url: string, rest: RestClient, nodeId: string) {
  await withPage(t, url, async (p) => {
    const { page } = p;
    await logIn(p, ann);
    await waitText(page, '[data-counter="nodes-online"] dd', '1 / 1');
    assert.equal(await counter(page, 'running').innerText(), '0');
    assert.equal(await counter(page, 'finished-today').innerText(), '0');
    await page.locator(`section[aria-label="Nodes"] tr[data-node="${nodeId}"]`).waitFor();
    await mark(page);

    // A crawl through the API: it appears as running, its items climb, then it counts as finished.
    await rest.ok('POST', '/api/v1/jobs', {
      project: 'demo',
      spider: 'slow',
      jobId: 'dash-1',
      args: { seconds: '5' },
      settings: { SCRAPYARD_STATS_INTERVAL: '0.5' },
    });
    const row = page.locator('tr[data-running-job="dash-1"]');
    await row.waitFor({ timeout: 90_000 });
    await waitText(page, '[data-counter="running"] dd', '1');
    await waitText(page, 'tr[data-running-job="dash-1"] [data-items]', /^[1-9]\d*$/);
    await row.waitFor({ state: 'detached', timeout: 60_000 });
    await waitText(page, '[data-counter="finished-today"] dd', '1');
    await waitText(page, '[data-counter="running"] dd', '0');
    assert.equal(await stillMarked(page), true, 'seen without a reload');

    // The nodes page lists the node; its page draws the host charts with data (the agent has sent some by now).
    await waitFor(async () => ((await rest.get(`/api/v1/nodes/${nodeId}/metrics`)).samples as unknown[]).length > 0, {
      what: 'a host sample of the node',
    });
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Nodes' }).click();
    const listed = page.locator(`tr[data-node="${nodeId}"]`);
    await listed.waitFor();
    assert.match(await listed.innerText(), /online/);
    await listed.getByRole('link', { name: nodeId }).click();
    await page.getByRole('heading', { name: `Node ${nodeId}` }).waitFor();
    await page.locator('figure[data-chart="CPU"] canvas').waitFor();
    const points = await page.locator('figure[data-chart="CPU"]').getAttribute('data-points');
    assert.ok(Number(points) >= 1, `the CPU chart drew ${points} points`);
    assert.equal(await page.locator('figure[data-chart] canvas').count(), 5, 'CPU, memory, load, disk, network');
    // The agent's next samples stream in: the chart gains points without a fetch or a reload.
    await mark(page);
    await page.waitForFunction(
      (before) => {
        const doc = (
          globalThis as unknown as { document: { querySelector(s: string): { dataset: { points?: string } } } }
        ).document;
        return Number(doc.querySelector('figure[data-chart="CPU"]').dataset.points) > before;
      },
      Number(points),
      { timeout: 60_000 },
    );
    assert.equal(await stillMarked(page), true, 'host points streamed without a reload');

    // Cordon from the page; uncordon from elsewhere (the API) shows here live.
    await mark(page);
    await page.getByRole('button', { name: 'Cordon' }).click();
    await waitText(page, '[data-node-state]', 'online, cordoned');
    await rest.ok('POST', `/api/v1/nodes/${nodeId}/uncordon`);
    await waitText(page, '[data-node-state]', 'online');
    await page.getByRole('button', { name: 'Cordon' }).waitFor();
    assert.equal(await stillMarked(page), true, 'seen without a reload');

    // Enroll: the commands name this master and carry a single-use key.
    await page.getByRole('link', { name: '← Nodes' }).click();
    await page.getByLabel('Node id (optional)').fill('edge-1');
    await page.getByRole('button', { name: 'Create an enrollment token' }).click();
    const commands = await page.locator('[data-enroll-commands]').innerText();
    assert.ok(commands.includes(`--url ${url} `), commands);
    assert.match(commands, /--token enr_[0-9a-f]{24}\.[0-9a-f]{64} --node-id edge-1\nscrapyard-agent$/);
    // The 401 of asking who one is before the login is expected.
    assert.deepEqual(
      p.errors().filter((l) => !(/status of 401/.test(l.text) && /\/api\/v1\/session$/.test(l.url))),
      [],
    );
  });
}

async function viewer(t: TestContext, url: string, nodeId: string) {
  await withPage(t, url, async (p) => {
    const { page } = p;
    await logIn(p, vic);
    // A reader of every project sees the node counts, not the node table.
    await waitText(page, '[data-counter="nodes-online"] dd', '1 / 1');
    const nav = await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();
    assert.ok(!nav.includes('Nodes'), `the viewer's nav: ${nav.join(', ')}`);
    assert.equal(await page.locator('section[aria-label="Nodes"]').count(), 0, 'no node health for a viewer');

    await page.goto(`/ui/nodes/${nodeId}`);
    await page.getByText(`Nothing to show at /nodes/${nodeId}.`).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cordon' }).count(), 0);
    const forced = await page.evaluate(async (id) => {
      const who = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const r = await fetch(`/api/v1/nodes/${id}/cordon`, {
        method: 'POST',
        headers: { 'x-csrf-token': who.csrfToken },
      });
      return { status: r.status, body: (await r.json()) as { error: { code: string } } };
    }, nodeId);
    assert.deepEqual([forced.status, forced.body.error.code], [403, 'FORBIDDEN']);
  });
}
