/**
 * Users, on both stores: the first admin is made offline (`user add … --password-stdin` on the data dir, no
 * master running), then the master closes its API to strangers and users sign in with basic auth on the Scrapyd
 * API and the REST API. A wrong password and an unknown user get the same answer; the limiter locks a name after
 * its failures (existing or not); `user passwd` and `user disable` hold from the next request; the last admin
 * stays; a user changes their own password with the old one. Users count as credentials for a non-loopback bind.
 */
import assert from 'node:assert/strict';
import { UserList } from '@scrapyard/protocol';
import { runCli } from '../helpers/agents.js';
import type { RawResponse } from '../helpers/clients.js';
import { request } from '../helpers/http.js';
import { startMaster } from '../helpers/processes.js';
import { masterStore, testEachStore } from '../helpers/stores.js';

/** `scrapyard-master …` with `input` on its stdin. */
const master = async (args: string[], input = '') => runCli('master', args, { input });

const PW = { alice: 'alice passphrase 1', bob: 'bob passphrase 12', carol: 'carol passphrase 1' };

testEachStore(
  'users: offline add, basic auth, one answer, the limiter, passwd, disable, last admin',
  { timeout: 240_000 },
  async (t, store) => {
    const where = await masterStore(t, store);
    const storeArgs = ['--data-dir', where.dataDir, ...(where.database ? ['--database-url', where.database] : [])];
    const add = (name: string, role: string, input: string, ...more: string[]) =>
      master(['user', 'add', name, '--role', role, ...more, ...storeArgs, '--password-stdin'], input);

    // Offline, before any master ran on this store: the first admin, a viewer of one project, an operator.
    const weak = await add('alice', 'admin', 'short\n');
    assert.equal(weak.code, 1, weak.stderr);
    assert.match(weak.stderr, /WEAK_PASSWORD: .*at least 12 characters, not the user name, not one character repeated/);
    const first = await add('alice', 'admin', `${PW.alice}\n`);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^added: alice \(usr_[0-9a-f]{16}\) enabled, admin:\*\n$/);
    const bob = await add('bob', 'viewer', `${PW.bob}\n`, '--project', 'demo');
    assert.equal(bob.code, 0, bob.stderr);
    assert.match(bob.stdout, /warning: project demo does not exist yet/);
    assert.equal((await add('carol', 'operator', PW.carol)).code, 0);
    const again = await add('carol', 'viewer', PW.carol);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /USER_EXISTS: a user named carol exists already/);

    const m = await startMaster(t, {
      ...where,
      // Off loopback without username/password: allowed because users exist (they are credentials).
      args: ['--no-local-agent', '--bind', '0.0.0.0'],
      env: { SCRAPYARD_LOGIN_MAX_FAILURES: '3' },
    });
    const as = (user: string, password: string) => ({ auth: { username: user, password } });
    const scrapyd = (user?: string, password = '') =>
      request(`${m.url}/daemonstatus.json`, user === undefined ? {} : as(user, password));
    const rest = (user: string, password: string, method = 'GET', path = '/users', body?: unknown) =>
      request(`${m.url}/api/v1${path}`, {
        method,
        ...as(user, password),
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    const admin = (args: string[], input = '') => master([...args, '--url', m.url, '--data-dir', where.dataDir], input);

    // Users exist: no more open Scrapyd default. Users sign in on both APIs.
    assert.equal((await scrapyd()).status, 401);
    assert.equal((await scrapyd('alice', PW.alice)).status, 200);
    const users = UserList.parse((await rest('alice', PW.alice)).json);
    assert.deepEqual(
      users.users.map((u) => u.name),
      ['alice', 'bob', 'carol'],
    );
    assert.equal((await scrapyd('bob', PW.bob)).status, 200);
    assert.equal((await rest('bob', PW.bob)).status, 403, 'users are admin only');

    // One answer for a wrong password and an unknown user, on each surface.
    const same = (a: RawResponse, b: RawResponse) => {
      assert.equal(a.status, b.status);
      // The wait left may differ by the seconds between the two locks.
      assert.equal(a.text.replace(/\d+/g, 'N'), b.text.replace(/\d+/g, 'N'));
      assert.equal(a.headers.get('www-authenticate'), b.headers.get('www-authenticate'));
    };
    same(await scrapyd('carol', 'wrong passphrase 1'), await scrapyd('nobody', 'wrong passphrase 1'));
    same(await rest('carol', 'wrong passphrase 2'), await rest('nobody', 'wrong passphrase 2'));

    // The third failure locks the name, existing or not; then even the right password waits.
    assert.equal((await scrapyd('carol', 'wrong passphrase 3')).status, 401);
    for (let i = 0; i < 3; i++) assert.equal((await scrapyd('mallory', `wrong passphrase ${i}`)).status, 401);
    const [carol, mallory] = [await scrapyd('carol', PW.carol), await scrapyd('mallory', PW.carol)];
    same(carol, mallory);
    assert.equal(carol.status, 429);
    assert.match(carol.text, /too many failed logins: retry in \d+ s/);
    const locked = await rest('carol', PW.carol);
    assert.equal(locked.status, 429);
    assert.equal((locked.json as { error: { code: string } }).error.code, 'TOO_MANY_LOGINS');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);

    // passwd (an admin, through the running master): the old password fails from the next request on.
    const passwd = await admin(['user', 'passwd', 'bob', '--password-stdin'], 'bob passphrase 34\n');
    assert.equal(passwd.code, 0, passwd.stderr);
    assert.equal((await scrapyd('bob', PW.bob)).status, 401);
    assert.equal((await scrapyd('bob', 'bob passphrase 34')).status, 200);

    // disable: at once too; the last enabled admin can't be disabled.
    assert.equal((await admin(['user', 'disable', 'bob'])).code, 0);
    assert.equal((await scrapyd('bob', 'bob passphrase 34')).status, 401);
    const last = await admin(['user', 'disable', 'alice']);
    assert.equal(last.code, 1);
    assert.match(last.stderr, /LAST_ADMIN: alice is the last enabled admin/);
    const listed = UserList.shape.users.parse(JSON.parse((await admin(['user', 'list', '--json'])).stdout));
    assert.deepEqual(
      listed.map((u) => [u.name, u.disabled]),
      [
        ['alice', false],
        ['bob', true],
        ['carol', false],
      ],
    );

    // A user changes their own password, proving the old one.
    const wrongOld = await rest('alice', PW.alice, 'POST', '/users/me/password', {
      oldPassword: 'not my passphrase',
      password: 'alice passphrase 2',
    });
    assert.equal(wrongOld.status, 403);
    const own = await rest('alice', PW.alice, 'POST', '/users/me/password', {
      oldPassword: PW.alice,
      password: 'alice passphrase 2',
    });
    assert.equal(own.status, 200, own.text);
    assert.equal((await scrapyd('alice', PW.alice)).status, 401);
    assert.equal((await scrapyd('alice', 'alice passphrase 2')).status, 200);

    for (const secret of [...Object.values(PW), 'bob passphrase 34', 'alice passphrase 2']) {
      assert.ok(!m.output().includes(secret), 'no password reaches the log');
    }
  },
);
