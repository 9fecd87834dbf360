import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Grant } from '@scrapyard/protocol';
import { pino } from 'pino';
import type { Db } from '../db/database.js';
import { createBrowserSessionsRepo } from '../db/repos/browser-sessions.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { DomainEvents, type Published } from '../events/domain-events.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { BrowserSessions } from './browser-sessions.js';
import { sessionDigest } from './session-cookie.js';

const IDLE = 60_000;
const LIFETIME = 600_000;
const VIEWER: Grant[] = [{ role: 'viewer', projects: ['a'] }];

async function setUp(t: TestContext, store: Store, maxPerUser?: number) {
  const db = await openTestDatabase(t, store);
  const clock = { now: 1_000_000 };
  const events = new DomainEvents({ logger: pino({ level: 'silent' }), now: () => clock.now });
  const published: Published[] = [];
  events.subscribe((e) => published.push(e));
  const repo = createBrowserSessionsRepo(db);
  const sessions = new BrowserSessions({
    repo,
    events,
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    idleMs: IDLE,
    lifetimeMs: LIFETIME,
    ...(maxPerUser !== undefined && { maxPerUser }),
  });
  sessions.start();
  t.after(() => sessions.stop());
  await db
    .insertInto('users')
    .values({
      id: 'u1',
      name: 'ann',
      password_hash: 'x',
      grants: JSON.stringify(VIEWER),
      disabled: 0,
      created_at: 1,
      updated_at: 1,
      password_changed_at: 1,
    })
    .execute();
  const ann = { userId: 'u1', name: 'ann', grants: VIEWER };
  const login = async () => (await sessions.create(ann, { address: '10.0.0.1', userAgent: 'Firefox' })).secret;
  const use = (secret: string) => sessions.resolve(`scrapyard_session=${secret}`, { address: '10.0.0.1' });
  return { db, clock, events, published, repo, sessions, login, use };
}

const storedLastSeen = async (db: Db, id: string) =>
  (await db.selectFrom('browser_sessions').select('last_seen_at').where('id', '=', id).executeTakeFirstOrThrow())
    .last_seen_at;

testEachStore(
  'a login makes a session its cookie resolves to the user; only the digest is stored',
  {},
  async (t, store) => {
    const { db, published, sessions, login, use } = await setUp(t, store);
    const secret = await login();
    const p = await use(secret);
    assert.equal(p?.kind, 'user');
    assert.ok(p?.kind === 'user');
    assert.deepEqual(
      { ...p, sessionId: undefined },
      { kind: 'user', userId: 'u1', name: 'ann', grants: VIEWER, sessionId: undefined },
    );
    const rows = await db.selectFrom('browser_sessions').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.digest, sessionDigest(secret));
    assert.equal(rows[0]!.id, p.sessionId);
    assert.equal(await use('A'.repeat(43)), undefined, 'an unknown cookie is no one');
    assert.equal(await sessions.resolve('scrapyard_session=%%%', { address: '' }), undefined);
    const created = published.find((e) => e.type === 'access.changed');
    assert.deepEqual(created && { ...created, seq: 0, at: 0 }, {
      type: 'access.changed',
      entity: 'session',
      id: p.sessionId,
      name: 'ann',
      change: 'created',
      userId: 'u1',
      summary: { address: '10.0.0.1', userAgent: 'Firefox' },
      seq: 0,
      at: 0,
    });
    assert.ok(!JSON.stringify(published).includes(secret), 'no secret in events');
    assert.ok(!JSON.stringify(published).includes(sessionDigest(secret)), 'nor its digest');
  },
);

testEachStore('idle and absolute expiry; use keeps it alive until the absolute one', {}, async (t, store) => {
  const { clock, login, use } = await setUp(t, store);
  const idle = await login();
  const busy = await login();
  clock.now += IDLE - 1;
  assert.ok(await use(idle), 'just inside the idle time');
  assert.ok(await use(busy));
  while (clock.now + IDLE / 2 < 1_000_000 + LIFETIME) {
    clock.now += IDLE / 2;
    assert.ok(await use(busy), `used every half idle time: alive at ${clock.now}`);
  }
  assert.equal(await use(idle), undefined, 'unused for longer than the idle time');
  assert.equal(await use(idle), undefined, 'and gone for good');
  clock.now = 1_000_000 + LIFETIME;
  assert.equal(await use(busy), undefined, 'past its absolute expiry, however used');
});

testEachStore('last use is written coalesced, and read from memory until then', {}, async (t, store) => {
  const { db, clock, sessions, login, use } = await setUp(t, store);
  const secret = await login();
  const id = ((await use(secret)) as { sessionId: string }).sessionId;
  for (let i = 0; i < 20; i++) {
    clock.now += 1_000;
    assert.ok(await use(secret));
  }
  assert.equal(await storedLastSeen(db, id), 1_000_000, 'no write per request');
  assert.equal((await sessions.get(id))?.lastSeenAt, 1_020_000, 'this master knows the last use');
  await sessions.prune();
  assert.equal(await storedLastSeen(db, id), 1_020_000, 'written by the flush');
});

testEachStore('a password change, a disabled user, a revocation end sessions at once', {}, async (t, store) => {
  const { db, clock, events, published, sessions, login, use } = await setUp(t, store);
  const users = db.updateTable('users').where('id', '=', 'u1');
  // At use, with no event (another master changed the password): sessions older than it are dead.
  const a = await login();
  clock.now += 10;
  await users.set({ password_changed_at: clock.now }).execute();
  assert.equal(await use(a), undefined);
  // The event deletes them without waiting for a use.
  const b = await login();
  assert.ok(await use(b));
  events.publish({
    type: 'access.changed',
    entity: 'user',
    id: 'u1',
    name: 'ann',
    change: 'disabled',
    userId: 'u1',
    summary: {},
  });
  await waitForNoSessions(db);
  assert.equal(await use(b), undefined);
  const revoked = published.filter(
    (e): e is Published<'access.changed'> => e.type === 'access.changed' && e.change === 'revoked',
  );
  assert.deepEqual(revoked.at(-1) && { ...revoked.at(-1), seq: 0, at: 0 }, {
    type: 'access.changed',
    entity: 'session',
    id: revoked.at(-1)!.id,
    name: 'ann',
    change: 'revoked',
    userId: 'u1',
    summary: { reason: 'disabled' },
    seq: 0,
    at: 0,
  });
  // A disabled user's cookie is refused even if the row survived.
  const c = await login();
  await users.set({ disabled: 1 }).execute();
  assert.equal(await use(c), undefined);
  await users.set({ disabled: 0 }).execute();
  const d = await login();
  const id = ((await use(d)) as { sessionId: string }).sessionId;
  assert.equal(await sessions.revoke(id, 'revoked'), true);
  assert.equal(await use(d), undefined);
  assert.equal(await sessions.revoke(id, 'revoked'), false);
});

testEachStore(
  'grants are read at each use (a changed grant counts at once); the oldest beyond the bound go',
  {},
  async (t, store) => {
    const { db, clock, login, use, sessions } = await setUp(t, store, 2);
    const first = await login();
    clock.now += 1;
    const grants = [{ role: 'operator', projects: '*' }];
    await db
      .updateTable('users')
      .where('id', '=', 'u1')
      .set({ grants: JSON.stringify(grants), updated_at: 2 })
      .execute();
    assert.deepEqual(((await use(first)) as { grants: unknown }).grants, grants);
    await login();
    await login();
    assert.equal(await use(first), undefined, 'evicted by the third login');
    // Logins in the same millisecond never evict the session just created.
    const same = [await login(), await login(), await login()];
    assert.ok(await use(same[2]!));
    assert.equal((await sessions.list('ann')).length, 2);
  },
);

async function waitForNoSessions(db: Db): Promise<void> {
  await waitFor(async () => (await db.selectFrom('browser_sessions').select('id').execute()).length === 0, {
    what: "the user's sessions to be deleted",
  });
}
