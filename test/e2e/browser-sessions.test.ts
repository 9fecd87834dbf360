/**
 * Browser sessions against a real master: a login sets an HttpOnly, SameSite=Strict cookie; the cookie reads the
 * REST API; a state-changing request it carries passes the CSRF check only from the master's own pages (Fetch
 * Metadata, Origin) or with the session's X-CSRF-Token; sessions are listed per user, revoked by id at once and
 * ended by logout; idle and absolute expiry end them on time; a password change (REST) or disabling the user ends
 * them at once; each session login is in the audit log.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { AuditPage } from '@scrapyard/protocol';
import { runCli } from '../helpers/agents.js';
import { request, type Auth } from '../helpers/http.js';
import { queryMaster } from '../helpers/master-db.js';
import { startMaster, type MasterProcess } from '../helpers/processes.js';
import { withUsers, type TestUser } from '../helpers/session-users.js';
import { waitFor } from '../helpers/wait.js';

const builtIn: Auth = { username: 'root', password: 'pw-browser-sessions' };
const CLOSED = { SCRAPYD_USERNAME: builtIn.username, SCRAPYD_PASSWORD: builtIn.password };
const ann: TestUser = {
  name: 'ann',
  password: 'ann-password-12',
  grants: [{ role: 'admin', projects: '*' }],
};
const bob: TestUser = {
  name: 'bob',
  password: 'bob-password-12',
  grants: [{ role: 'viewer', projects: ['a'] }],
};
const DASH = 'https://dash.example';

async function login(master: MasterProcess, u: TestUser) {
  const r = await request(`${master.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'e2e-browser' },
    body: JSON.stringify({ name: u.name, password: u.password }),
  });
  assert.equal(r.status, 201, r.text);
  const setCookie = r.headers.get('set-cookie') ?? '';
  const cookie = /^scrapyard_session=[A-Za-z0-9_-]{43}/.exec(setCookie)?.[0];
  assert.ok(cookie, setCookie);
  return { cookie, setCookie, csrf: (r.json as { csrfToken: string }).csrfToken, json: r.json };
}

const withCookie = (
  master: MasterProcess,
  path: string,
  cookie: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
) => request(`${master.url}${path}`, { ...o, headers: { cookie, ...o.headers } });

const codeOf = (r: { json: Record<string, unknown> }) => (r.json.error as { code?: string } | undefined)?.code;

void test('login, the cookie on the REST API, CSRF, listing, revocation and logout', async (t) => {
  const dataDir = await withUsers(t, [ann, bob], { env: CLOSED });
  const master = await startMaster(t, {
    dataDir,
    args: ['--no-local-agent'],
    env: { ...CLOSED, SCRAPYARD_CORS_ORIGINS: DASH },
  });
  const anonymous = await request(`${master.url}/api/v1/nodes`);
  assert.equal(anonymous.status, 401, 'the API is closed to strangers');

  // Refused logins: one answer whether or not the user exists; bad and oversized bodies are 4xx.
  for (const body of [
    { name: 'ann', password: 'wrong' },
    { name: 'nobody', password: 'wrong' },
  ]) {
    const r = await request(`${master.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 401, r.text);
    assert.deepEqual(r.json, { error: { code: 'UNAUTHORIZED', message: 'wrong user name or password' } });
    assert.equal(r.headers.get('set-cookie'), null);
  }
  const post = (body: string) =>
    request(`${master.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal((await post(JSON.stringify({ name: 'ann' }))).status, 400);
  assert.equal((await post(JSON.stringify({ name: 'ann', password: 'x'.repeat(8_000) }))).status, 413);

  const a = await login(master, ann);
  assert.match(a.setCookie, /; Path=\/; HttpOnly; SameSite=Strict$/, 'no Secure on plain HTTP');
  assert.deepEqual((a.json.user as { name: string }).name, 'ann');
  // Only a digest is stored.
  const stored = await queryMaster(dataDir, 'SELECT digest FROM browser_sessions');
  assert.equal(stored.length, 1);
  assert.ok(!JSON.stringify(stored).includes(a.cookie.split('=')[1]!));

  // The cookie reads the REST API; a malformed or oversized one is anonymous.
  assert.equal((await withCookie(master, '/api/v1/nodes', a.cookie)).status, 200);
  assert.equal((await withCookie(master, '/api/v1/nodes', 'scrapyard_session=not-a-session')).status, 401);
  assert.equal((await withCookie(master, '/api/v1/nodes', `${a.cookie}; pad=${'x'.repeat(9_000)}`)).status, 401);
  const me = await withCookie(master, '/api/v1/session', a.cookie);
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.csrfToken, a.csrf);

  // CSRF: a state-changing request carried by the cookie.
  const enroll = (headers: Record<string, string>) =>
    withCookie(master, '/api/v1/nodes/enrollments', a.cookie, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
  // An origin the cross-site guard trusts (cors_origins) still may not ride a session.
  const trusted: Record<string, string>[] = [{ origin: DASH }, { origin: DASH, 'sec-fetch-site': 'cross-site' }];
  for (const headers of trusted) {
    const r = await enroll(headers);
    assert.equal(r.status, 403, `${JSON.stringify(headers)}: ${r.text}`);
    assert.equal(codeOf(r), 'CSRF_FAILED');
  }
  const crossSite = await enroll({ 'sec-fetch-site': 'cross-site' });
  assert.equal(crossSite.status, 403, crossSite.text);
  const bare = await enroll({});
  assert.equal(bare.status, 403, 'no Fetch Metadata, no Origin, no token');
  assert.equal(codeOf(bare), 'CSRF_FAILED');
  assert.equal(codeOf(await enroll({ 'x-csrf-token': 'wrong' })), 'CSRF_FAILED');
  assert.deepEqual(await queryMaster(dataDir, 'SELECT COUNT(*) AS n FROM enrollments'), [{ n: 0 }], 'nothing created');
  assert.equal((await enroll({ 'x-csrf-token': a.csrf })).status, 201);
  assert.equal((await enroll({ 'sec-fetch-site': 'same-origin' })).status, 201);
  assert.equal((await enroll({ origin: master.url })).status, 201);
  // Not cookie-carried: basic auth is not checked for a token.
  assert.equal(
    (
      await request(`${master.url}/api/v1/nodes/enrollments`, {
        method: 'POST',
        auth: builtIn,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).status,
    201,
  );

  // Each user sees their own sessions; revocation by id works at once.
  const b = await login(master, bob);
  const bobs = await withCookie(master, '/api/v1/sessions', b.cookie);
  assert.equal(bobs.status, 200, bobs.text);
  const bobSessions = bobs.json.sessions as { id: string; userName: string; current: boolean; userAgent: string }[];
  assert.deepEqual(
    bobSessions.map((s) => [s.userName, s.current, s.userAgent]),
    [['bob', true, 'e2e-browser']],
  );
  assert.equal((await withCookie(master, '/api/v1/sessions?user=ann', b.cookie)).status, 403);
  const annId = (a.json.session as { id: string }).id;
  const stranger = await withCookie(master, `/api/v1/sessions/${annId}`, b.cookie, {
    method: 'DELETE',
    headers: { 'x-csrf-token': b.csrf },
  });
  assert.equal(stranger.status, 404, "another user's session is not bob's to see");
  const cli = (...args: string[]) =>
    runCli('master', ['session', ...args, '--master-url', master.url, '--data-dir', dataDir]);
  const listed = await cli('list', '--user', 'bob');
  assert.equal(listed.code, 0, listed.all);
  assert.match(listed.stdout, new RegExp(`${bobSessions[0]!.id}\\s+bob`));
  const revoked = await cli('revoke', bobSessions[0]!.id);
  assert.equal(revoked.code, 0, revoked.all);
  assert.equal((await withCookie(master, '/api/v1/nodes', b.cookie)).status, 401, 'revoked at once');
  const again = await request(`${master.url}/api/v1/sessions/${bobSessions[0]!.id}`, {
    method: 'DELETE',
    auth: builtIn,
  });
  assert.equal(again.status, 404, 'already gone');

  // Logout ends the session and clears the cookie.
  const out = await withCookie(master, '/api/v1/session', a.cookie, {
    method: 'DELETE',
    headers: { 'x-csrf-token': a.csrf },
  });
  assert.equal(out.status, 204, out.text);
  assert.match(out.headers.get('set-cookie') ?? '', /^scrapyard_session=; .*Max-Age=0/);
  assert.equal((await withCookie(master, '/api/v1/session', a.cookie)).status, 401);
  assert.equal((await withCookie(master, '/api/v1/nodes', a.cookie)).status, 401);
  assert.deepEqual(await queryMaster(dataDir, 'SELECT COUNT(*) AS n FROM browser_sessions'), [{ n: 0 }]);
  assert.ok(!master.output().includes(a.cookie.split('=')[1]!), 'the cookie is never logged');
});

void test('a session ends after the idle time without use, and at its absolute expiry however used; Secure under https', async (t) => {
  const dataDir = await withUsers(t, [ann], { env: CLOSED });
  const idle = await startMaster(t, {
    dataDir,
    args: ['--no-local-agent'],
    env: { ...CLOSED, SCRAPYARD_SESSION_IDLE_SECONDS: '2' },
  });
  const loginSent = Date.now();
  const s = await login(idle, ann);
  const used = await withCookie(idle, '/api/v1/nodes', s.cookie);
  // Alive, unless this machine stalled for longer than the idle time since the login was sent.
  assert.ok(used.status === 200 || Date.now() - loginSent >= 2_000, `${used.status} ${used.text}`);
  // Nothing uses the session from here on: a bounded real wait past its idle time, then it is gone.
  await sleep(2_500);
  assert.equal((await withCookie(idle, '/api/v1/nodes', s.cookie)).status, 401);
  await idle.stop();

  // Behind a TLS-terminating proxy (public_url https) the cookie is Secure.
  const lifetime = await startMaster(t, {
    dataDir,
    args: ['--no-local-agent'],
    env: { ...CLOSED, SCRAPYARD_SESSION_LIFETIME_SECONDS: '2', SCRAPYARD_PUBLIC_URL: 'https://scrapyard.example' },
  });
  const loggedInBy = Date.now();
  const l = await login(lifetime, ann);
  assert.match(l.setCookie, /; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
  // Used all the time (never idle), it still ends, and never before its lifetime.
  await waitFor(async () => (await withCookie(lifetime, '/api/v1/nodes', l.cookie)).status === 401, {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'the session to reach its absolute expiry',
  });
  assert.ok(Date.now() - loggedInBy >= 2_000, 'not before its lifetime');
});

void test("a password change or a disabled user ends the user's sessions; a session login is in the audit log", async (t) => {
  const master = await startMaster(t, { args: ['--no-local-agent'], env: CLOSED });
  const admin = (method: string, path: string, body?: unknown) =>
    request(`${master.url}${path}`, {
      method,
      auth: builtIn,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  for (const u of [ann, bob]) assert.equal((await admin('POST', '/api/v1/users', { ...u })).status, 201);
  const alive = async (cookie: string) => (await withCookie(master, '/api/v1/session', cookie)).status;

  const before = await login(master, ann);
  const changed = await admin('POST', '/api/v1/users/ann/password', { password: 'ann-new-password-12' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(await alive(before.cookie), 401, 'the session of the old password is over');
  const after = await login(master, { ...ann, password: 'ann-new-password-12' });
  assert.equal(await alive(after.cookie), 200);

  const bobs = await login(master, bob);
  assert.equal(await alive(bobs.cookie), 200);
  assert.equal((await admin('POST', '/api/v1/users/bob/disable')).status, 200);
  assert.equal(await alive(bobs.cookie), 401, "a disabled user's session is over");
  assert.equal(await alive(after.cookie), 200, "another user's session goes on");

  // Each login by session is audited, with the user as actor (writes are batched: up to ~200 ms late).
  await waitFor(
    async () => {
      const r = await admin('GET', '/api/v1/audit?action=login.ok');
      const logins = AuditPage.parse(r.json).entries.filter((e) => e.summary.via === 'session');
      return (
        logins
          .map((e) => `${e.actor.kind}:${e.actor.name}>${e.target}`)
          .sort()
          .join(' ') === 'user:ann>ann user:ann>ann user:bob>bob'
      );
    },
    { what: 'three session logins in the audit log', timeoutMs: 20_000 },
  );
});
