/**
 * The Authenticator's cache of known Authorization headers, with real users and tokens on both stores: a header
 * sent again costs neither a hash nor a lookup, and still every change takes effect at the next request: a token
 * revoked or expired, its owner disabled, a password changed, a user disabled, regranted or deleted, a name locked
 * by the limiter, and (at the recheck) a change made by another process.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import pino from 'pino';
import { createUsersRepo } from '../db/repos/users.js';
import { testEachStore, type Store } from '../db/stores.test-support.js';
import { ADMIN, tokenWorld } from './api-tokens.test-support.js';
import { Authenticator } from './authenticator.js';
import { HeaderCache } from './header-cache.js';
import { LoginLimiter, TooManyLogins } from './login-limiter.js';
import { PasswordHasher } from './passwords.js';
import { UserLogins } from './user-logins.js';
import { UserService } from './users.js';

const PW = 'correct horse battery';
const CTX = { address: '10.0.0.1' };
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function world(t: TestContext, store: Store) {
  const w = await tokenWorld(t, store);
  const real = createUsersRepo(w.db);
  /** Holds a user lookup (after it read the row) until released: a change can land while a login runs. */
  const hold: { gate?: Promise<void>; reached?: () => void } = {};
  const users = {
    ...real,
    byName: async (name: string) => {
      const row = await real.byName(name);
      hold.reached?.();
      await hold.gate;
      return row;
    },
  };
  const hasher = new PasswordHasher({ cost: { logN: 10, r: 8, p: 1 } });
  const now = () => w.clock.now;
  const limiter = new LoginLimiter({ maxPerUser: 3, maxPerAddress: 1_000, windowMs: 60_000, now });
  const logger = pino({ level: 'silent' });
  const logins = new UserLogins({ repo: users, hasher, limiter, events: w.events, logger, now, recheckMs: 5_000 });
  await logins.start();
  const service = new UserService({
    repo: real,
    hasher,
    events: w.events,
    now,
    projectExists: async () => true,
    passwordMatches: (n, p, c) => logins.passwordMatches(n, p, c),
  });
  const asked = { basic: 0, bearer: 0 };
  const auth = new Authenticator({
    username: 'builtin',
    password: 'builtin-password',
    adminToken: `adm_${'ab'.repeat(32)}`,
    nodeForSessionToken: () => undefined,
    // The real resolvers, counted: how often a request takes the whole path.
    resolvers: [
      {
        basic: (u, p) => {
          asked.basic++;
          return w.resolver.basic(u, p);
        },
        bearer: (token) => {
          asked.bearer++;
          return w.resolver.bearer(token);
        },
        reuse: (p) => w.resolver.reuse(p),
      },
      {
        basic: (u, p, c) => {
          asked.basic++;
          return logins.verify(u, p, c);
        },
        reuse: (p, c) => logins.reuse(p, c),
      },
    ],
    hasUsers: logins.hasUsers,
  });
  const who = async (authorization: string) => (await auth.identify({ authorization }, CTX)).kind;
  return { ...w, real, hold, hasher, service, auth, asked, who };
}

testEachStore('a known header costs no hash, no lookup and no resolver', {}, async (t, store) => {
  const w = await world(t, store);
  await w.service.create({ name: 'alice', password: PW, grants: [{ role: 'viewer', projects: '*' }] });
  const { secret } = await w.tokens.create(ADMIN, { name: 'ci', role: 'viewer' });
  const headers = [basic('alice', PW), `Bearer ${secret}`, basic('scrapyd-deploy', secret)];
  const hashed = w.hasher.derived;
  for (let i = 0; i < 20; i++) for (const h of headers) assert.notEqual(await w.who(h), 'anonymous', h);
  assert.equal(w.hasher.derived - hashed, 1, 'one scrypt run for the password');
  assert.equal(w.calls.byDigest, 1, 'one lookup for the token');
  assert.deepEqual(w.asked, { basic: 3, bearer: 1 }, 'each header resolved once (the token twice as basic)');
  for (let i = 0; i < 20; i++) assert.equal(await w.who(basic('builtin', 'builtin-password')), 'scrapyd-user');
  assert.equal(await w.who(basic('builtin', 'wrong')), 'anonymous', 'the built-in pair, still exactly');
});

testEachStore(
  'a token revoked, expired or whose owner is disabled: refused at the next request',
  {},
  async (t, store) => {
    const w = await world(t, store);
    const ids = [];
    for (const name of ['revoked', 'expiring']) {
      const expiresAt = name === 'expiring' ? w.clock.now + 5_000 : undefined;
      ids.push(await w.tokens.create(ADMIN, { name, role: 'viewer', ...(expiresAt ? { expiresAt } : {}) }));
    }
    const { user } = await w.service.create({
      name: 'owner',
      password: PW,
      grants: [{ role: 'viewer', projects: '*' }],
    });
    const owned = await w.tokens.create(
      { kind: 'user', userId: user.id, name: 'owner', grants: user.grants },
      {
        name: 'owned',
        role: 'viewer',
      },
    );
    const [revoked, expiring] = ids as [(typeof ids)[0], (typeof ids)[0]];
    for (const { secret } of [revoked, expiring, owned]) {
      for (const h of [`Bearer ${secret}`, basic('x', secret)]) {
        assert.equal(await w.who(h), 'token');
        assert.equal(await w.who(h), 'token');
      }
    }
    await w.tokens.revoke(ADMIN, revoked.token.id);
    assert.equal(await w.who(`Bearer ${revoked.secret}`), 'anonymous');
    assert.equal(await w.who(basic('x', revoked.secret)), 'anonymous');
    w.clock.now += 5_000;
    assert.equal(await w.who(`Bearer ${expiring.secret}`), 'anonymous');
    assert.equal(await w.who(basic('x', expiring.secret)), 'anonymous');
    await w.service.setDisabled('owner', true);
    assert.equal(await w.who(`Bearer ${owned.secret}`), 'anonymous');
    assert.equal(await w.who(basic('x', owned.secret)), 'anonymous');
  },
);

testEachStore('a password change, a disable, a grant and a delete: at the next request', {}, async (t, store) => {
  const w = await world(t, store);
  await w.service.create({ name: 'bob', password: PW, grants: [{ role: 'viewer', projects: '*' }] });
  const grantsOf = async (h: string) => {
    const p = await w.auth.identify({ authorization: h }, CTX);
    return p.kind === 'user' ? p.grants.map((g) => g.role) : p.kind;
  };
  const old = basic('bob', PW);
  assert.deepEqual(await grantsOf(old), ['viewer']);
  assert.deepEqual(await grantsOf(old), ['viewer']);
  await w.service.grant('bob', { role: 'operator', projects: ['demo'] });
  assert.deepEqual(await grantsOf(old), ['viewer', 'operator'], 'new grants at once');
  await w.service.setPassword('bob', 'another good password');
  assert.equal(await w.who(old), 'anonymous', 'the old password fails at once');
  const now = basic('bob', 'another good password');
  assert.equal(await w.who(now), 'user');
  assert.equal(await w.who(now), 'user');
  await w.service.setDisabled('bob', true);
  assert.equal(await w.who(now), 'anonymous', 'disabled at once');
  await w.service.setDisabled('bob', false);
  assert.equal(await w.who(now), 'user');
  assert.equal(await w.who(now), 'user');
  await w.service.delete('bob');
  assert.equal(await w.who(now), 'anonymous', 'deleted at once');
});

testEachStore('a locked name is refused with a known header; wrong ones are never kept', {}, async (t, store) => {
  const w = await world(t, store);
  await w.service.create({ name: 'carol', password: PW, grants: [] });
  const right = basic('carol', PW);
  assert.equal(await w.who(right), 'user');
  const asked = w.asked.basic;
  for (let i = 0; i < 3; i++) assert.equal(await w.who(basic('carol', 'wrong horse battery')), 'anonymous');
  assert.equal(w.asked.basic - asked, 6, 'each wrong one took the whole path (both resolvers)');
  await assert.rejects(w.auth.identify({ authorization: right }, CTX), TooManyLogins);
  w.clock.now += 60_000;
  assert.equal(await w.who(right), 'user', 'the window over');
});

testEachStore('changes by another process: seen at the recheck, through the cache too', {}, async (t, store) => {
  const w = await world(t, store);
  const { user } = await w.service.create({ name: 'dave', password: PW, grants: [] });
  const { token, secret } = await w.tokens.create(ADMIN, { name: 'ci', role: 'viewer' });
  const [pw, tok] = [basic('dave', PW), `Bearer ${secret}`];
  assert.equal(await w.who(pw), 'user');
  assert.equal(await w.who(tok), 'token');
  // No event reaches this process: another master or an offline command wrote the rows.
  await w.real.change(user.id, (r) => ({ disabled: 1, updated_at: r.updated_at + 1 }));
  await w.db.updateTable('api_tokens').set({ revoked_at: w.clock.now }).where('id', '=', token.id).execute();
  assert.equal(await w.who(pw), 'user', 'trusted until the recheck');
  w.clock.now += 5_000;
  assert.equal(await w.who(pw), 'anonymous');
  assert.equal(await w.who(tok), 'token', "a token's backstop is longer");
  w.clock.now += 25_001;
  assert.equal(await w.who(tok), 'anonymous');
});

testEachStore('a password changed while a login was being checked: the old one is not kept', {}, async (t, store) => {
  const w = await world(t, store);
  await w.service.create({ name: 'erin', password: PW, grants: [] });
  let release!: () => void;
  w.hold.gate = new Promise<void>((r) => (release = r));
  const reached = new Promise<void>((r) => (w.hold.reached = r));
  const login = w.who(basic('erin', PW));
  await reached;
  w.hold.reached = undefined;
  w.hold.gate = undefined;
  await w.service.setPassword('erin', 'another good password');
  release();
  assert.equal(await login, 'user', 'checked against the row it read');
  assert.equal(await w.who(basic('erin', PW)), 'anonymous', 'not trusted at the next request');
});

void test('the cache is bounded: the least recently used header goes first', () => {
  const c = new HeaderCache<null>({ maxEntries: 2 });
  const [a, b, d] = ['Basic a', 'Basic b', 'Basic d'].map((h) => c.keyOf(h)) as [string, string, string];
  const p = { kind: 'admin', via: 'admin-token' } as const;
  c.set(a, p, null);
  c.set(b, p, null);
  assert.ok(c.get(a));
  c.set(d, p, null);
  assert.equal(c.size, 2);
  assert.ok(c.get(a) && c.get(d));
  assert.equal(c.get(b), undefined);
  assert.notEqual(c.keyOf('Basic a'), 'Basic a', 'the key is no header');
  assert.notEqual(new HeaderCache().keyOf('Basic a'), c.keyOf('Basic a'), 'keyed per process');
});
