/**
 * The admin pages in Chromium against a real master: an admin adds a user (a weak password refused with the rule),
 * grants them viewer on one project (a grant on a project not deployed yet warns), the user signs in elsewhere and
 * reaches that project only and no admin page; disabled, their page returns to the login. A service token is shown
 * once, then revoked; the audit log shows all of it, filtered by actor and action through the URL. Live: a user and
 * a token made elsewhere (the API) appear in the users list and the audit log without a reload; after a client
 * navigation the focus is on the new page's heading.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { openBrowser, withPage, type BrowserPage } from '../helpers/browser.js';
import { request } from '../helpers/http.js';
import { adminTokenFor, startMaster, tempDir } from '../helpers/processes.js';
import { withUsers, type TestUser } from '../helpers/session-users.js';

const ann: TestUser = { name: 'ann', password: 'ann-password-12', grants: [{ role: 'admin', projects: '*' }] };
const BOB_PASSWORD = 'bob-password-12';

async function signIn(page: Page, name: string, password: string) {
  await page.goto('/ui/login');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Calls the API from the page, with the page's session (as a forced request would). */
const fetchIn = (page: Page, path: string) =>
  page.evaluate(async (p) => {
    const r = await fetch(p);
    return { status: r.status, body: (await r.json()) as unknown };
  }, path);

void test('the admin pages', async (t) => {
  await openBrowser();
  // Two egg-less projects from [settings]: listed at once, no deploy needed.
  const conf = join(tempDir(t), 'scrapyd.conf');
  writeFileSync(conf, '[settings]\na = demo.settings\nb = demo.settings\n');
  const args = ['--config', conf, '--no-local-agent'];
  const dataDir = await withUsers(t, [ann], { args: ['--config', conf] });
  const master = await startMaster(t, { dataDir, args });
  await t.test('users, grants, a second browser, tokens, the audit log', (t) => admin(t, master.url));
  await t.test('live: a user and a token made elsewhere show without a reload; focus follows navigation', (t) =>
    live(t, master.url),
  );
});

async function admin(t: TestContext, url: string) {
  await withPage(t, url, async (a) => {
    const { page } = a;
    await signIn(page, ann.name, ann.password);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
    await page.locator('tr[data-user="ann"]').waitFor();

    // A weak password: the rule is shown before, the server's refusal after.
    const newUser = page.getByRole('form', { name: 'New user' });
    assert.match(await newUser.innerText(), /At least 12 characters, not the user name/);
    await newUser.getByLabel('User name').fill('bob');
    await newUser.getByLabel('Initial password').fill('bob');
    await newUser.getByRole('button', { name: 'Add user' }).click();
    const refusal = newUser.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /WEAK_PASSWORD\s+.*at least 12 characters/);
    await newUser.getByLabel('Initial password').fill(BOB_PASSWORD);
    await newUser.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('heading', { name: 'User bob' }).waitFor();
    await page.getByText('No role yet').waitFor();

    // Viewer on a (picked from the deployed ones) and on a project not deployed yet: allowed, with a warning.
    const grant = page.getByRole('form', { name: 'Grant a role' });
    for (const p of ['a', 'later']) {
      await grant.getByLabel('Project', { exact: true }).fill(p);
      await grant.getByRole('button', { name: 'Add project' }).click();
    }
    await grant.getByRole('button', { name: 'Grant' }).click();
    await page.locator('.warning', { hasText: 'later' }).waitFor();
    const viewerRow = page.locator('tr[data-grant="viewer"]');
    await viewerRow.getByText('later').waitFor();
    await viewerRow.getByRole('button', { name: 'Revoke viewer on later' }).click();
    await viewerRow.getByText('later').waitFor({ state: 'detached' });
    assert.match(await viewerRow.innerText(), /^viewer\s+a\s/);

    await withPage(t, url, async (b) => {
      await signIn(b.page, 'bob', BOB_PASSWORD);
      const nav = await b.page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();
      assert.ok(!nav.includes('Admin'), `no Admin for a viewer: ${nav.join(', ')}`);
      const projects = await fetchIn(b.page, '/api/v1/projects');
      assert.deepEqual(
        (projects.body as { projects: { name: string }[] }).projects.map((p) => p.name),
        ['a'],
        'only the project granted',
      );
      const forced = await fetchIn(b.page, '/api/v1/users');
      assert.equal(forced.status, 403);
      assert.equal((forced.body as { error: { code: string } }).error.code, 'FORBIDDEN');
      await b.page.goto('/ui/admin');
      await b.page.getByText('Nothing to show at /admin.').waitFor();

      // The admin sees bob's session, then disables him: his next step lands on the login page.
      await page.reload();
      await page.getByRole('list', { name: 'Sessions' }).locator('li').first().waitFor();
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByText('Disabled').waitFor();
      await page.getByText('Not signed in anywhere.').waitFor();
      await b.page.getByRole('link', { name: 'My sessions' }).click();
      await b.page.getByRole('button', { name: 'Sign in' }).waitFor();
    });

    await tokens(a, url);
    await audit(a);
  });
}

async function tokens({ page }: BrowserPage, url: string) {
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Tokens' }).click();
  const form = page.getByRole('form', { name: 'New service token' });
  await form.getByLabel('Token name').fill('prometheus');
  await form.getByLabel('Token role').selectOption('metrics');
  await form.getByRole('button', { name: 'Create service token' }).click();
  const secretBox = page.getByLabel('The new service token');
  await secretBox.waitFor();
  const secret = await secretBox.inputValue();
  assert.match(secret, /^sy_[0-9A-Za-z]{38}$/);
  const row = page.locator('tr[data-token="prometheus"]');
  await row.waitFor();
  assert.match(await row.innerText(), /service account[\s\S]*metrics on all projects[\s\S]*active/);
  const metrics = () => request(`${url}/metrics`, { bearer: secret });
  assert.equal((await metrics()).status, 200, 'the token shown works');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.reload();
  await row.waitFor();
  assert.ok(!(await page.content()).includes(secret), 'shown once: never again');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Click again to confirm' }).click();
  await row.getByText('revoked').waitFor();
  assert.equal((await metrics()).status, 401, 'revoked for good');
}

async function audit({ page }: BrowserPage) {
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
  const filters = page.getByRole('form', { name: 'Filters' });
  await filters.getByLabel('Actor').fill('ann');
  await filters.getByLabel('Action').fill('user.');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL((u) => u.pathname + u.search === '/ui/admin/audit?actor=ann&action=user.');
  const actions = () =>
    page.locator('tr[data-audit]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-audit')));
  await page.locator('tr[data-audit="user.disable"]').waitFor();
  assert.deepEqual(await actions(), ['user.disable', 'user.revoke', 'user.grant', 'user.create']);
  assert.match(await page.locator('tr[data-audit="user.create"]').innerText(), /user ann[\s\S]*bob/);

  // The filtered view is a link: opened afresh, it shows the same; then the token actions.
  await page.goto('/ui/admin/audit?actor=ann&action=token.');
  await page.locator('tr[data-audit="token.revoke"]').waitFor();
  assert.deepEqual(await actions(), ['token.revoke', 'token.create']);
  assert.equal(await filters.getByLabel('Action').inputValue(), 'token.');
}

/** The focused element: its tag and text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string } } })
      .document.activeElement;
    return { tag: el.tagName.toLowerCase(), text: el.textContent.trim() };
  });

async function live(t: TestContext, url: string) {
  const bearer = adminTokenFor(url)!;
  const post = async (path: string, body: unknown) => {
    const r = await request(`${url}${path}`, {
      method: 'POST',
      bearer,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.status, 201, r.text);
  };
  await withPage(t, url, async ({ page }) => {
    await signIn(page, ann.name, ann.password);
    await page.goto('/ui/admin/tokens');
    await page.getByRole('form', { name: 'New service token' }).waitFor();
    assert.equal((await focused(page)).tag, 'body', 'a page loaded afresh leaves the focus alone');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
    await page.locator('tr[data-user="ann"]').waitFor();
    assert.deepEqual(await focused(page), { tag: 'h1', text: 'Admin' }, 'focus on the new page’s heading');
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));

    await post('/api/v1/users', { name: 'carol', password: 'carol-password-12' });
    await page.locator('tr[data-user="carol"]').waitFor();

    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
    await page.locator('tr[data-audit="user.create"]', { hasText: 'carol' }).waitFor();
    await post('/api/v1/tokens', { name: 'nightly', role: 'viewer', serviceAccount: true });
    const row = page.locator('tr[data-audit="token.create"]', { hasText: 'nightly' });
    await row.waitFor();
    assert.equal(await page.locator('tr[data-audit]').first().getAttribute('data-audit'), 'token.create', 'on top');
    assert.ok(
      await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded === true),
      'the page was not reloaded',
    );
  });
}
