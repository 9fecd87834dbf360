/**
 * The web UI in Chromium against a real master: the login page loads under its CSP without errors, a wrong
 * password is shown, a login returns to the page asked for, the nav offers what the user's role reaches (a viewer
 * on a phone, an admin at 1280 px), a request the viewer forces anyway is refused, my sessions and my tokens work
 * (a token's secret shown once), and logout returns to the login page.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { openBrowser, withPage, type BrowserPage } from '../helpers/browser.js';
import { request } from '../helpers/http.js';
import { startMaster } from '../helpers/processes.js';
import { withUsers, type TestUser } from '../helpers/session-users.js';

const ann: TestUser = { name: 'ann', password: 'ann-password-12', grants: [{ role: 'admin', projects: '*' }] };
const vic: TestUser = { name: 'vic', password: 'vic-password-12', grants: [{ role: 'viewer', projects: ['a'] }] };
const READER_NAV = ['Dashboard', 'Jobs', 'Projects', 'Schedules', 'Alerts'];
const ADMIN_NAV = ['Dashboard', 'Jobs', 'Nodes', 'Projects', 'Schedules', 'Alerts', 'Admin'];

async function logIn({ page }: BrowserPage, u: TestUser, password = u.password) {
  await page.getByLabel('User name').fill(u.name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits until the app shows `path` (a client route changes the URL without a navigation event). */
const at = (page: Page, path: string) =>
  page.waitForFunction((want) => {
    // In the page (this file is type-checked without the DOM's types).
    const { pathname, search } = (globalThis as unknown as { location: { pathname: string; search: string } }).location;
    return pathname + search === want;
  }, path);

const navLinks = ({ page }: BrowserPage) =>
  page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();

/** Console errors, but for the 401s the app expects (asking who one is before a login, a wrong password). */
const unexpectedErrors = (p: BrowserPage) =>
  p.errors().filter((l) => !(/status of 401/.test(l.text) && /\/api\/v1\/session$/.test(l.url)));

// One master for the file (its users take seconds to make); each scenario a fresh browser context.
void test('the web UI', async (t) => {
  await openBrowser(); // no Chromium: fail now, before the users are made
  const dataDir = await withUsers(t, [ann, vic]);
  const master = await startMaster(t, { dataDir, args: ['--no-local-agent'] });
  assert.ok(master.output().includes(`(web UI: ${master.url}/ui/)`), 'the start-up line gives the address');
  await t.test('a viewer on a phone: CSP, wrong password, back to the page asked for, only what a viewer may', (t) =>
    viewerOnAPhone(t, master.url),
  );
  await t.test('an admin: every section, my sessions, a token shown once then revoked, logout', (t) =>
    adminAtDesk(t, master.url),
  );
});

async function viewerOnAPhone(t: TestContext, url: string) {
  await withPage(
    t,
    url,
    async (p) => {
      const { page } = p;
      const first = await page.goto('/ui/jobs');
      const csp = first?.headers()['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      await at(page, '/ui/login?next=%2Fjobs');
      await page.getByRole('heading', { name: 'Scrapyard' }).waitFor();

      await logIn(p, vic, 'not-the-password');
      const error = page.getByRole('alert');
      await error.waitFor();
      assert.match(await error.innerText(), /UNAUTHORIZED\s+wrong user name or password/);

      await logIn(p, vic);
      await at(page, '/ui/jobs');
      await page.getByRole('heading', { name: 'Jobs' }).waitFor();
      assert.equal(await page.locator('.user-name').innerText(), 'vic');
      // A phone: the sections sit behind the menu button.
      const nav = page.getByRole('navigation', { name: 'Sections' });
      assert.equal(await nav.isVisible(), false);
      await page.getByRole('button', { name: 'Menu' }).click();
      await nav.waitFor();
      assert.deepEqual(await navLinks(p), READER_NAV);

      // What the nav does not offer, typed in, is not there; forced through the API, it is refused.
      await page.goto('/ui/nodes');
      await page.getByText('Nothing to show at /nodes.').waitFor();
      const forced = await page.evaluate(async () => {
        const who = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
        const r = await fetch('/api/v1/nodes/enrollments', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': who.csrfToken },
          body: '{}',
        });
        return { status: r.status, body: (await r.json()) as { error: { code: string } } };
      });
      assert.equal(forced.status, 403);
      assert.equal(forced.body.error.code, 'FORBIDDEN');

      assert.deepEqual(
        unexpectedErrors(p).filter((l) => !l.url.endsWith('/api/v1/nodes/enrollments')),
        [],
        'no console error (a CSP violation would be one)',
      );
    },
    { width: 390, height: 844 },
  );
}

async function adminAtDesk(t: TestContext, url: string) {
  await withPage(t, url, async (p) => {
    const { page } = p;
    await page.goto('/ui/');
    await at(page, '/ui/login');
    await logIn(p, ann);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.deepEqual(await navLinks(p), ADMIN_NAV);

    await page.getByRole('link', { name: 'My sessions' }).click();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    const rows = page.locator('tr[data-session]');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /this browser/);

    await page.getByRole('link', { name: 'My tokens' }).click();
    await page.getByText('No tokens yet.').waitFor();
    await page.getByLabel('Name').fill('ci');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretBox = page.getByLabel('The new token');
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    assert.match(secret, /^sy_[0-9A-Za-z]{38}$/);
    const row = page.locator('tr[data-token="ci"]');
    await row.waitFor();
    assert.match(await row.innerText(), /viewer[\s\S]*active/);
    const withToken = () => request(`${url}/api/v1/tokens`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal((await withToken()).status, 200, 'the token shown works');

    await page.getByRole('button', { name: 'Done' }).click();
    await secretBox.waitFor({ state: 'detached' });
    await page.reload();
    await row.waitFor();
    assert.ok(!(await page.content()).includes(secret), 'shown once: never again');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Click again to confirm' }).click();
    await row.getByText('revoked').waitFor();
    assert.equal((await withToken()).status, 401, 'revoked for good');

    await page.getByRole('button', { name: 'Log out' }).click();
    await at(page, '/ui/login');
    await page.goto('/ui/me/tokens');
    await at(page, '/ui/login?next=%2Fme%2Ftokens');
    assert.deepEqual(unexpectedErrors(p), []);
  });
}
