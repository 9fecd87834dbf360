import assert from 'node:assert/strict';
import pino from 'pino';
import { AuditRetention } from '../../audit/retention.js';
import { openTestDatabase, testEachStore } from '../stores.test-support.js';
import { createAuditRepo, type NewAuditRow } from './audit.js';

const row = (i: number, o: Partial<NewAuditRow> = {}): NewAuditRow => ({
  at: 1_000 + i,
  actor_kind: 'user',
  actor_id: 'u1',
  actor_name: 'alice',
  action: 'job.schedule',
  target: `job${i}`,
  project: 'a',
  summary: '{}',
  address: '127.0.0.1',
  ...o,
});

testEachStore('audit pages: every filter, newest first, and the cursor walks without gaps', {}, async (t, store) => {
  const repo = createAuditRepo(await openTestDatabase(t, store));
  const rows: NewAuditRow[] = [];
  for (let i = 0; i < 30; i++) {
    rows.push(
      row(i, {
        actor_kind: i % 3 === 0 ? 'admin' : 'user',
        actor_name: i % 3 === 0 ? null : i % 2 === 0 ? 'alice' : 'bob',
        action: ['job.schedule', 'user.create', 'user.passwd', 'users.x', 'userxcreate'][i % 5]!,
        project: i % 4 === 0 ? 'b' : 'a',
      }),
    );
  }
  await repo.insert(rows);
  const ids = async (f: Parameters<typeof repo.page>[0]) => (await repo.page(f)).map((r) => r.target);
  const expect = (keep: (r: NewAuditRow) => boolean) =>
    rows
      .filter(keep)
      .map((r) => r.target)
      .reverse();

  assert.deepEqual(
    await ids({ limit: 100 }),
    expect(() => true),
  );
  assert.deepEqual(
    await ids({ actorKind: 'admin', limit: 100 }),
    expect((r) => r.actor_kind === 'admin'),
  );
  assert.deepEqual(
    await ids({ actorName: 'bob', limit: 100 }),
    expect((r) => r.actor_name === 'bob'),
  );
  // A prefix ends with a dot: `user.` is not `users.` nor `userx…` (no LIKE wildcard in an action).
  assert.deepEqual(
    await ids({ action: 'user.', limit: 100 }),
    expect((r) => r.action.startsWith('user.')),
  );
  assert.deepEqual(
    await ids({ action: 'user.create', limit: 100 }),
    expect((r) => r.action === 'user.create'),
  );
  assert.deepEqual(await ids({ action: 'user', limit: 100 }), []);
  assert.deepEqual(
    await ids({ project: 'b', limit: 100 }),
    expect((r) => r.project === 'b'),
  );
  assert.deepEqual(
    await ids({ since: 1_010, until: 1_020, limit: 100 }),
    expect((r) => r.at >= 1_010 && r.at < 1_020),
  );
  assert.deepEqual(
    await ids({ actorKind: 'user', project: 'a', action: 'user.', limit: 100 }),
    expect((r) => r.actor_kind === 'user' && r.project === 'a' && r.action.startsWith('user.')),
  );

  const walked: (string | null)[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await repo.page({ project: 'a', limit: 4, before });
    walked.push(...page.map((r) => r.target));
    if (page.length < 4) break;
    before = Number(page.at(-1)!.id);
  }
  assert.deepEqual(
    walked,
    expect((r) => r.project === 'a'),
  );
});

testEachStore('audit retention: by age, then by count, in batches, oldest first', {}, async (t, store) => {
  const repo = createAuditRepo(await openTestDatabase(t, store));
  const day = 86_400_000;
  const now = 100 * day;
  // 12 entries older than 10 days, 20 within.
  const rows = Array.from({ length: 32 }, (_, i) => row(i, { at: i < 12 ? now - 20 * day + i : now - day + i }));
  await repo.insert(rows);
  const retention = new AuditRetention({
    repo,
    retentionDays: 10,
    maxEntries: 15,
    now: () => now,
    logger: pino({ level: 'silent' }),
    batchRows: 5,
  });
  assert.equal(await retention.prune(), 12 + 5);
  const left = (await repo.page({ limit: 100 })).map((r) => r.target);
  assert.deepEqual(
    left,
    rows
      .slice(17)
      .map((r) => r.target)
      .reverse(),
  );
  assert.equal(await retention.prune(), 0, 'nothing more to do');

  // A run does at most maxBatches batches: a large backlog goes over several runs.
  const capped = new AuditRetention({
    repo,
    retentionDays: 10,
    maxEntries: 1_000,
    now: () => now + 30 * day,
    logger: pino({ level: 'silent' }),
    batchRows: 2,
    maxBatches: 3,
  });
  assert.equal(await capped.prune(), 6);
  assert.equal((await repo.page({ limit: 100 })).length, 9);
});
