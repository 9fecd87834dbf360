import assert from 'node:assert/strict';
import type { Db } from '../database.js';
import { openTestDatabase, testEachStore } from '../stores.test-support.js';
import { createBrowserSessionsRepo, type BrowserSessionRow } from './browser-sessions.js';

async function addUser(db: Db, id: string, name: string): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id,
      name,
      password_hash: 'x',
      grants: '[]',
      disabled: 0,
      created_at: 1,
      updated_at: 1,
      password_changed_at: 1,
    })
    .execute();
}

const session = (id: string, userId: string, createdAt: number): BrowserSessionRow => ({
  id,
  digest: id.padEnd(64, '0'),
  user_id: userId,
  address: '127.0.0.1',
  user_agent: 'test',
  created_at: createdAt,
  last_seen_at: createdAt,
  expires_at: createdAt + 1_000,
});

testEachStore('sessions found by digest with their user, listed by user id or name', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const repo = createBrowserSessionsRepo(db);
  await addUser(db, 'u1', 'ann');
  await addUser(db, 'u2', 'bob');
  await repo.insert(session('s1', 'u1', 10));
  await repo.insert(session('s2', 'u1', 20));
  await repo.insert(session('s3', 'u2', 30));
  const live = await repo.byDigest(session('s1', 'u1', 10).digest);
  assert.equal(live?.id, 's1');
  assert.equal(live?.user_name, 'ann');
  assert.equal(live?.user_disabled, 0);
  assert.equal(live?.user_password_changed_at, 1);
  assert.equal(await repo.byDigest('f'.repeat(64)), undefined);
  assert.deepEqual(
    (await repo.list('ann', 10)).map((s) => s.id),
    ['s2', 's1'],
  );
  assert.deepEqual(
    (await repo.list('u2', 10)).map((s) => s.id),
    ['s3'],
  );
  assert.deepEqual(
    (await repo.list(undefined, 2)).map((s) => s.id),
    ['s3', 's2'],
  );
  assert.deepEqual(await repo.list('nobody', 10), []);
  // A session whose user is gone is no session.
  await db.deleteFrom('users').where('id', '=', 'u2').execute();
  assert.equal(await repo.byDigest(session('s3', 'u2', 30).digest), undefined);
});

testEachStore('oldest sessions evicted beyond the bound; a user’s sessions deleted at once', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const repo = createBrowserSessionsRepo(db);
  await addUser(db, 'u1', 'ann');
  await addUser(db, 'u2', 'bob');
  for (let i = 1; i <= 5; i++) await repo.insert(session(`a${i}`, 'u1', i));
  await repo.insert(session('b1', 'u2', 0));
  assert.deepEqual((await repo.evictBeyond('u1', 3, 'a5')).sort(), ['a1', 'a2']);
  assert.deepEqual(
    (await repo.list('u1', 10)).map((s) => s.id),
    ['a5', 'a4', 'a3'],
  );
  assert.deepEqual(await repo.evictBeyond('u1', 3, 'a5'), []);
  // The newest is kept even when it is not the latest by time.
  assert.deepEqual(await repo.evictBeyond('u1', 1, 'a3'), ['a5', 'a4']);
  await repo.insert(session('a4', 'u1', 4));
  await repo.insert(session('a5', 'u1', 5));
  assert.deepEqual((await repo.deleteForUser('u1')).sort(), ['a3', 'a4', 'a5']);
  assert.deepEqual(
    (await repo.list(undefined, 10)).map((s) => s.id),
    ['b1'],
  );
  assert.equal(await repo.delete('b1'), true);
  assert.equal(await repo.delete('b1'), false);
});

testEachStore('last use only moves forward; prune drops expired and idle sessions', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const repo = createBrowserSessionsRepo(db);
  await addUser(db, 'u1', 'ann');
  await repo.insert(session('s1', 'u1', 100)); // expires 1100
  await repo.insert(session('s2', 'u1', 100));
  await repo.insert(session('s3', 'u1', 500)); // expires 1500
  await repo.touch(['s1', 's2'], 400);
  await repo.touch(['s1'], 300);
  assert.equal((await repo.get('s1'))?.last_seen_at, 400);
  await repo.touch(['s2'], 900);
  // At 1100 s1 and s2 are past their absolute expiry; idle cut-off 450 drops none else (s3 seen at 500).
  assert.equal(await repo.prune(1_100, 450), 2);
  assert.deepEqual(
    (await repo.list('u1', 10)).map((s) => s.id),
    ['s3'],
  );
  assert.equal(await repo.prune(1_200, 501), 1, 's3 idle since 500');
});
