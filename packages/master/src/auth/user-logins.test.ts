/**
 * Users signing in, on both stores: one hash per verified credential (then the cache), one answer for a wrong
 * password, an unknown and a disabled user (each costing one scrypt run), changes made here holding at once and
 * changes made by another process at the next recheck, a hash at an older cost upgraded at login, the limiter,
 * login events without the password, and `hasUsers`.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { waitFor } from '../../../../test/helpers/wait.js';
import { createUsersRepo } from '../db/repos/users.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { DomainEvents, type Published } from '../events/domain-events.js';
import { LoginLimiter, TooManyLogins } from './login-limiter.js';
import { PasswordHasher, parseHash } from './passwords.js';
import { UserLogins } from './user-logins.js';
import { UserService } from './users.js';

const PW = 'correct horse battery';
const CTX = { address: '10.0.0.1' };
const CHEAP = { logN: 10, r: 8, p: 1 };

async function setUp(t: TestContext, store: Store, maxPerUser = 100) {
  const db = await openTestDatabase(t, store);
  const repo = createUsersRepo(db);
  const logger = pino({ level: 'silent' });
  const events = new DomainEvents({ logger });
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  const hasher = new PasswordHasher({ cost: CHEAP });
  const limiter = new LoginLimiter({ maxPerUser, maxPerAddress: 1_000, windowMs: 60_000, now });
  const logins = new UserLogins({ repo, hasher, limiter, events, logger, now, recheckMs: 5_000 });
  await logins.start();
  await hasher.prepare();
  const users = new UserService({
    repo,
    hasher,
    events,
    now,
    projectExists: async () => true,
    passwordMatches: (n, p, c) => logins.passwordMatches(n, p, c),
  });
  const logs: Published<'access.login'>[] = [];
  events.on('access.login', (e) => logs.push(e));
  /** scrypt runs a call costs. */
  const runs = async (f: () => Promise<unknown>) => {
    const before = hasher.derived;
    await f();
    return hasher.derived - before;
  };
  return { repo, users, logins, clock, logs, runs, hasher };
}

testEachStore('right, wrong, unknown, disabled: one answer, one hash each; then the cache', {}, async (t, store) => {
  const { users, logins, logs, runs } = await setUp(t, store);
  const { user } = await users.create({
    name: 'alice',
    password: PW,
    grants: [{ role: 'viewer', projects: ['demo'] }],
  });
  await users.create({ name: 'dave', password: PW, grants: [] });
  await users.setDisabled('dave', true);

  let p;
  assert.equal(await runs(async () => (p = await logins.verify('alice', PW, CTX))), 1);
  assert.deepEqual(p, {
    kind: 'user',
    userId: user.id,
    name: 'alice',
    grants: [{ role: 'viewer', projects: ['demo'] }],
  });
  assert.equal(await runs(() => logins.verify('alice', PW, CTX)), 0, 'verified once, then from the cache');
  for (const [name, password] of [
    ['alice', 'wrong horse battery'],
    ['nobody', PW],
    ['dave', PW],
  ] as const) {
    let answer: unknown = 'unset';
    assert.equal(await runs(async () => (answer = await logins.verify(name, password, CTX))), 1, name);
    assert.equal(answer, undefined, name);
  }
  assert.equal(await logins.verify('alice', 'x'.repeat(5_000), CTX), undefined, 'oversized: refused unhashed');
  assert.deepEqual(
    logs.map((l) => [l.ok, l.username, l.reason, l.via]),
    [
      [true, 'alice', null, 'basic'],
      [false, 'alice', 'wrong-password', 'basic'],
      [false, 'nobody', 'unknown-user', 'basic'],
      [false, 'dave', 'disabled', 'basic'],
    ],
  );
  assert.ok(!JSON.stringify(logs).includes(PW), 'no password in the events');
});

testEachStore('a password change, a disable and a grant change made here hold at once', {}, async (t, store) => {
  const { users, logins } = await setUp(t, store);
  await users.create({ name: 'bob', password: PW, grants: [{ role: 'viewer', projects: '*' }] });
  assert.ok(await logins.verify('bob', PW, CTX));
  await users.grant('bob', { role: 'operator', projects: ['demo'] });
  assert.deepEqual((await logins.verify('bob', PW, CTX))?.grants, [
    { role: 'viewer', projects: '*' },
    { role: 'operator', projects: ['demo'] },
  ]);
  await users.setPassword('bob', 'another good password');
  assert.equal(await logins.verify('bob', PW, CTX), undefined, 'the old password fails at once');
  assert.ok(await logins.verify('bob', 'another good password', CTX));
  await users.setDisabled('bob', true);
  assert.equal(await logins.verify('bob', 'another good password', CTX), undefined, 'disabled at once');
  await users.setDisabled('bob', false);
  assert.ok(await logins.verify('bob', 'another good password', CTX));
  await users.delete('bob');
  assert.equal(await logins.verify('bob', 'another good password', CTX), undefined, 'deleted at once');
});

testEachStore(
  'changes by another process are seen at the next recheck, without hashing again',
  {},
  async (t, store) => {
    const { users, logins, repo, clock, runs } = await setUp(t, store);
    const { user } = await users.create({ name: 'carol', password: PW, grants: [{ role: 'viewer', projects: '*' }] });
    assert.ok(await logins.verify('carol', PW, CTX));
    // Another process (a second master, an offline command) changes the row: no event reaches this one.
    await repo.change(user.id, (r) => ({
      grants: '[{"role":"operator","projects":"*"}]',
      updated_at: r.updated_at + 1,
    }));
    assert.equal((await logins.verify('carol', PW, CTX))?.grants[0]?.role, 'viewer', 'trusted until the recheck');
    clock.now += 5_000;
    let p;
    assert.equal(await runs(async () => (p = await logins.verify('carol', PW, CTX))), 0, 'same hash: no rehash');
    assert.equal(p!.grants[0]?.role, 'operator');
    await repo.change(user.id, (r) => ({ disabled: 1, updated_at: r.updated_at + 1 }));
    clock.now += 5_000;
    assert.equal(await logins.verify('carol', PW, CTX), undefined);
  },
);

testEachStore('a hash made at an older cost is upgraded at the next successful login', {}, async (t, store) => {
  const { users, logins, repo } = await setUp(t, store);
  const { user } = await users.create({ name: 'erin', password: PW, grants: [] });
  const old = await new PasswordHasher({ cost: { logN: 9, r: 8, p: 1 } }).hash(PW);
  await repo.change(user.id, () => ({ password_hash: old }));
  assert.ok(await logins.verify('erin', PW, CTX));
  const upgraded = await waitFor(
    async () => {
      const h = (await repo.byName('erin'))!.password_hash;
      return h !== old && h;
    },
    { what: 'the hash to be upgraded' },
  );
  assert.deepEqual(parseHash(upgraded)?.cost, CHEAP);
  assert.equal((await repo.byName('erin'))!.updated_at, user.updatedAt, 'not a change of the user');
  assert.ok(await logins.verify('erin', PW, CTX));
});

testEachStore(
  'the limiter locks a name after its failures, existing or not, right password or not',
  {},
  async (t, store) => {
    const { users, logins, logs } = await setUp(t, store, 2);
    await users.create({ name: 'frank', password: PW, grants: [] });
    for (const name of ['frank', 'ghost']) {
      assert.equal(await logins.verify(name, 'wrong horse battery', CTX), undefined);
      assert.equal(await logins.verify(name, 'wrong horse battery', CTX), undefined);
      await assert.rejects(logins.verify(name, PW, CTX), TooManyLogins);
    }
    assert.deepEqual(
      logs.map((l) => l.reason),
      ['wrong-password', 'wrong-password; now locked', 'unknown-user', 'unknown-user; now locked'],
    );
    // Proving the old password for a change is limited too.
    await assert.rejects(
      users.changeOwnPassword((await users.get('frank')).id, PW, 'new good password', CTX),
      TooManyLogins,
    );
  },
);

testEachStore('hasUsers: none, then one (added here or by another process)', {}, async (t, store) => {
  const { users, logins, repo, clock } = await setUp(t, store);
  assert.equal(logins.hasUsers(), false);
  await users.create({ name: 'gina', password: PW, grants: [] });
  await waitFor(() => logins.hasUsers(), { what: 'hasUsers after a user was added here' });
  await users.delete('gina');
  await waitFor(() => !logins.hasUsers(), { what: 'no users after the delete' });
  const row = { id: 'usr_other', name: 'henry', password_hash: 'x', grants: '[]', disabled: 0 };
  await repo.insert({ ...row, created_at: 1, updated_at: 1, password_changed_at: 1 });
  assert.equal(logins.hasUsers(), false, 'not counted again before the recheck time');
  clock.now += 5_000;
  await waitFor(() => logins.hasUsers(), { what: 'a user added by another process' });
});

testEachStore(
  'the dummy hash is made once a user exists, not at the start of a master without users',
  {},
  async (t, store) => {
    const db = await openTestDatabase(t, store);
    const repo = createUsersRepo(db);
    const logger = pino({ level: 'silent' });
    const events = new DomainEvents({ logger });
    const hasher = new PasswordHasher({ cost: CHEAP });
    const limiter = new LoginLimiter({ maxPerUser: 100, maxPerAddress: 1_000, windowMs: 60_000, now: Date.now });
    const logins = new UserLogins({ repo, hasher, limiter, events, logger, now: Date.now, recheckMs: 5_000 });
    await logins.start();
    const users = new UserService({
      repo,
      hasher,
      events,
      now: Date.now,
      projectExists: async () => true,
      passwordMatches: (n, p, c) => logins.passwordMatches(n, p, c),
    });
    assert.equal(hasher.derived, 0, 'no scrypt run at the start of a master without users');
    await users.create({ name: 'alice', password: PW, grants: [{ role: 'viewer', projects: ['demo'] }] });
    // The user's own hash, then the dummy made in the background.
    await waitFor(() => hasher.derived === 2, { what: 'the dummy hash after the first user' });

    const again = new PasswordHasher({ cost: CHEAP });
    await new UserLogins({ repo, hasher: again, limiter, events, logger, now: Date.now }).start();
    await waitFor(() => again.derived === 1, { what: 'the dummy hash at the start of a master with users' });
  },
);
