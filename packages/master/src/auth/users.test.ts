/**
 * The users service on both stores: refusals store nothing (weak password, taken name, the last enabled admin
 * disabled, demoted or deleted), grants merge and revoke per project, a grant on a project not deployed yet is
 * allowed with a warning, and every change publishes `access.changed` without a secret.
 */
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createUsersRepo } from '../db/repos/users.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { DomainEvents, type Published } from '../events/domain-events.js';
import type { TestContext } from 'node:test';
import { PasswordHasher } from './passwords.js';
import { UserService } from './users.js';

const PW = 'correct horse battery';

async function setUp(t: TestContext, store: Store) {
  const db = await openTestDatabase(t, store);
  const repo = createUsersRepo(db);
  const events = new DomainEvents({ logger: pino({ level: 'silent' }) });
  const changes: Published<'access.changed'>[] = [];
  events.on('access.changed', (e) => changes.push(e));
  const users = new UserService({
    repo,
    hasher: new PasswordHasher({ cost: { logN: 10, r: 8, p: 1 } }),
    events,
    now: () => 1_000,
    projectExists: async (p) => p === 'demo',
    passwordMatches: async () => true,
  });
  return { users, repo, changes };
}

testEachStore('add: weak passwords and taken names are refused, nothing stored', {}, async (t, store) => {
  const { users, repo, changes } = await setUp(t, store);
  await assert.rejects(users.create({ name: 'alice', password: 'short', grants: [] }), { code: 'WEAK_PASSWORD' });
  await assert.rejects(users.create({ name: 'alice', password: 'alice', grants: [] }), /at least 12 characters/);
  assert.equal(await repo.count(), 0);
  const added = await users.create({ name: 'alice', password: PW, grants: [{ role: 'admin', projects: '*' }] });
  assert.deepEqual(added.warnings, []);
  assert.match(added.user.id, /^usr_[0-9a-f]{16}$/);
  await assert.rejects(users.create({ name: 'alice', password: PW, grants: [] }), { code: 'USER_EXISTS' });
  assert.equal(await repo.count(), 1);
  assert.match((await repo.byName('alice'))!.password_hash, /^scrypt\$10\$8\$1\$/);
  assert.deepEqual(
    changes.map((c) => [c.change, c.name]),
    [['created', 'alice']],
  );
  assert.ok(!JSON.stringify(changes).includes(PW), 'no password in the events');
});

testEachStore(
  'grants merge per role; revoke per project; unknown projects are allowed with a warning',
  {},
  async (t, store) => {
    const { users } = await setUp(t, store);
    const made = await users.create({
      name: 'bob',
      password: PW,
      grants: [{ role: 'viewer', projects: ['demo', 'later'] }],
    });
    assert.deepEqual(made.warnings, ['project later does not exist yet: the grant applies once it is deployed']);
    const g = await users.grant('bob', { role: 'viewer', projects: ['other', 'demo'] });
    assert.deepEqual(g.user.grants, [{ role: 'viewer', projects: ['demo', 'later', 'other'] }]);
    await users.grant(made.user.id, { role: 'operator', projects: ['demo'] });
    const r = await users.revoke('bob', { role: 'viewer', projects: ['later', 'other'] });
    assert.deepEqual(r.user.grants, [
      { role: 'viewer', projects: ['demo'] },
      { role: 'operator', projects: ['demo'] },
    ]);
    assert.deepEqual((await users.revoke('bob', { role: 'operator' })).user.grants, [
      { role: 'viewer', projects: ['demo'] },
    ]);
    await users.grant('bob', { role: 'viewer', projects: '*' });
    await assert.rejects(users.revoke('bob', { role: 'viewer', projects: ['demo'] }), { code: 'BAD_REQUEST' });
    await assert.rejects(users.get('nobody'), { code: 'NOT_FOUND' });
  },
);

testEachStore('the last enabled admin cannot be disabled, demoted or deleted', {}, async (t, store) => {
  const { users, changes } = await setUp(t, store);
  await users.create({ name: 'root', password: PW, grants: [{ role: 'admin', projects: '*' }] });
  await users.create({ name: 'eve', password: PW, grants: [{ role: 'viewer', projects: '*' }] });
  await assert.rejects(users.setDisabled('root', true), { code: 'LAST_ADMIN', message: /can't be disabled/ });
  await assert.rejects(users.revoke('root', { role: 'admin' }), { code: 'LAST_ADMIN', message: /can't be demoted/ });
  await assert.rejects(users.delete('root'), { code: 'LAST_ADMIN', message: /can't be deleted/ });
  assert.equal((await users.get('root')).disabled, false, 'nothing changed');
  // A non-admin changes freely.
  await users.setDisabled('eve', true);
  await users.delete('eve');
  // With a second admin, the first may go; the second is then the last.
  await users.grant('root', { role: 'viewer', projects: '*' });
  await users.create({ name: 'root2', password: PW, grants: [{ role: 'admin', projects: '*' }] });
  await users.setDisabled('root', true);
  await assert.rejects(users.setDisabled('root2', true), { code: 'LAST_ADMIN' });
  await users.setDisabled('root', false);
  await users.revoke('root2', { role: 'admin' });
  assert.deepEqual(
    changes.map((c) => c.change),
    ['created', 'created', 'disabled', 'deleted', 'granted', 'created', 'disabled', 'enabled', 'revoked'],
  );
});

testEachStore('a password change stamps the row and keeps updated_at growing', {}, async (t, store) => {
  const { users, repo } = await setUp(t, store);
  const a = await users.create({ name: 'carol', password: PW, grants: [] });
  const before = await repo.byName('carol');
  await assert.rejects(users.setPassword('carol', 'carol'), { code: 'WEAK_PASSWORD' });
  const b = await users.setPassword(a.user.id, 'another good password');
  const after = await repo.byName('carol');
  assert.notEqual(after!.password_hash, before!.password_hash);
  assert.ok(b.user.updatedAt > a.user.updatedAt, 'the clock stood still, updated_at still grew');
  assert.equal(b.user.passwordChangedAt, b.user.updatedAt);
});

testEachStore('two admins disabled at once: one of the changes is refused', {}, async (t, store) => {
  const { users } = await setUp(t, store);
  await users.create({ name: 'a1', password: PW, grants: [{ role: 'admin', projects: '*' }] });
  await users.create({ name: 'a2', password: PW, grants: [{ role: 'admin', projects: '*' }] });
  // Raced several times: on PostgreSQL the transactions run side by side.
  for (let round = 0; round < 10; round++) {
    const results = await Promise.allSettled([users.setDisabled('a1', true), users.setDisabled('a2', true)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'], `round ${round}`);
    assert.equal((await users.list()).users.filter((u) => !u.disabled).length, 1, `round ${round}`);
    await Promise.all([users.setDisabled('a1', false), users.setDisabled('a2', false)]);
  }
});
