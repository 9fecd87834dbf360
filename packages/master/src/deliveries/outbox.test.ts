/**
 * The outbox on both stores: enqueueing is idempotent per target and key, a due row is claimed by one caller (the claim
 * counts the attempt), the log is trimmed to the newest settled rows, and a start replays into the outbox the job
 * events of the window before its mark (what a crash between a job's commit and its delivery insert would otherwise
 * lose), never before a hook's creation or replay floor and in event order, and a job's last items batch goes before
 * its finish.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { waitFor } from '../../../../test/helpers/wait.js';
import { SecretBox } from '../auth/secret-box.js';
import { createConsumerMarks } from '../db/repos/consumer-marks.js';
import { createDeliveriesRepo, type NewDelivery } from '../db/repos/deliveries.js';
import { createJobHistoryRepo } from '../db/repos/job-history.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { insertFinishedJob } from '../db/repos/jobs.test-support.js';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { DomainEvents } from '../events/domain-events.js';
import { ItemBatches } from './item-batches.js';
import { JobWebhooks } from './job-webhooks.js';
import { TargetCatalog } from './targets.js';
import { WebhookService } from './webhook-service.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const logger = pino({ level: 'silent' });

const row = (target: string, key: string, at = T0): NewDelivery => ({
  id: `msg_${randomBytes(6).toString('hex')}`,
  kind: 'webhook',
  target_id: target,
  dedup_key: key,
  event: 'job.finished',
  payload: '{}',
  next_at: at,
  created_at: at,
});

/** The webhooks' consumer, as compose/deliveries.ts makes it. */
const jobWebhooks = (d: Omit<ConstructorParameters<typeof JobWebhooks>[0], 'baseUrl' | 'logger' | 'wake'>) =>
  new JobWebhooks({ ...d, baseUrl: () => 'http://m', logger, wake: () => {} });

testEachStore(
  'enqueue is idempotent per target and key; one caller wins a claim; the log is trimmed',
  {},
  async (t, store) => {
    const repo = createDeliveriesRepo(await openTestDatabase(t, store));
    assert.equal(await repo.enqueue([row('a', 'k1'), row('a', 'k2'), row('b', 'k1')]), 3);
    assert.equal(await repo.enqueue([row('a', 'k1'), row('a', 'k3')]), 1, 'a replayed key is not enqueued again');
    const due = await repo.due(T0, 10);
    assert.equal(due.length, 4);
    const first = due[0]!;
    const claims = await Promise.all([
      repo.claim(first.id, first.next_at, T0 + 60_000, T0),
      repo.claim(first.id, first.next_at, T0 + 60_000, T0),
    ]);
    assert.deepEqual(claims.sort(), [false, true]);
    assert.equal((await repo.get(first.id))?.attempts, 1, "the winner's claim counts the attempt, once");
    assert.equal((await repo.due(T0, 10)).length, 3, 'a claimed row is not due until its lease ends');
    assert.equal(await repo.nextDueAt(), T0);

    for (let i = 0; i < 5; i++) await repo.enqueue([row('c', `old${i}`, T0 + i)]);
    for (const d of await repo.log('c', undefined, 10)) {
      await repo.settle(d.id, { state: 'delivered', attempts: 1, delivered_at: T0 + 10 });
    }
    await repo.enqueue([row('c', 'pending', T0 - 1)]);
    await repo.trim('c', 2);
    const kept = await repo.log('c', undefined, 10);
    assert.deepEqual(
      kept.map((d) => d.dedup_key).sort(),
      ['old3', 'old4', 'pending'],
      'the newest settled rows and every pending one',
    );
    assert.equal(await repo.mark('floor:c'), T0 + 3, 'a replay stays after what was trimmed');
    await repo.raiseMark('floor:c', T0);
    assert.equal(await repo.mark('floor:c'), T0 + 3, 'a floor never moves back');
  },
);

testEachStore('a start replays job events since its mark into the outbox, once', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const repo = createDeliveriesRepo(db);
  const marks = createConsumerMarks(db);
  const history = createJobHistoryRepo(db);
  const jobs = createJobsRepo(db);
  const clock = { now: T0 };
  const now = () => clock.now;
  const targets = new TargetCatalog(repo);
  const hooks = new WebhookService({ repo, targets, box: new SecretBox(Buffer.alloc(32, 3)), now, wake: () => {} });
  const hook = (await hooks.create({ url: 'https://hooks.example.com/h', project: 'p' })).webhook;
  await hooks.create({ url: 'https://hooks.example.com/other', project: 'other' });

  const add = async (jobId: string, project: string, outcome: string, endedAt: number) => {
    const runId = randomBytes(16).toString('hex');
    await insertFinishedJob(jobs, { runId, jobId, project, outcome, endedAt });
    return runId;
  };
  await marks.set('webhooks', T0);
  const long = await add('ancient', 'p', 'failed', T0 - 3_600_000);
  const failed = await add('j1', 'p', 'failed', T0 + 1000);
  const ok = await add('j2', 'p', 'succeeded', T0 + 2000);
  await add('j3', 'other', 'succeeded', T0 + 3000);
  clock.now = T0 + 10_000;

  const boot = async () => {
    await targets.reload();
    const events = new DomainEvents({ logger, now });
    const w = jobWebhooks({ repo, targets, events, marks, history, now });
    await w.start();
    await w.stop();
  };
  await boot();
  const keys = (await repo.log(hook.id, undefined, 100)).map((d) => d.dedup_key).sort();
  assert.deepEqual(
    keys,
    [
      `job.failed:${failed}`,
      `job.finished:${failed}`,
      `job.finished:${ok}`,
      `job.started:${failed}`,
      `job.started:${ok}`,
    ].sort(),
  );
  assert.ok(!keys.some((k) => k.endsWith(long)), 'jobs long before the mark are not replayed');
  await boot();
  assert.equal((await repo.log(hook.id, undefined, 100)).length, 5, 'replaying again adds nothing');
});

testEachStore(
  "a replay never reaches before a hook's creation or its floor, and enqueues each hook's events in event order",
  {},
  async (t, store) => {
    const db = await openTestDatabase(t, store);
    const repo = createDeliveriesRepo(db);
    const marks = createConsumerMarks(db);
    const history = createJobHistoryRepo(db);
    const jobs = createJobsRepo(db);
    const clock = { now: T0 - 60_000 };
    const now = () => clock.now;
    const targets = new TargetCatalog(repo);
    const hooks = new WebhookService({ repo, targets, box: new SecretBox(Buffer.alloc(32, 3)), now, wake: () => {} });
    // Before the jobs: receives their events. Disabled then enabled again in between: only what came after.
    const early = (await hooks.create({ url: 'https://hooks.example.com/early', project: 'p' })).webhook;
    const toggled = (await hooks.create({ url: 'https://hooks.example.com/toggled', project: 'p' })).webhook;
    await hooks.update(toggled.id, { enabled: false });

    const add = async (jobId: string, endedAt: number) => {
      const runId = randomBytes(16).toString('hex');
      await insertFinishedJob(jobs, { runId, jobId, project: 'p', outcome: 'failed', endedAt });
      return runId;
    };
    await marks.set('webhooks', T0);
    // Queued first, finished last: the jobs table's order is not the events' order.
    const second = await add('j2', T0 + 4000);
    const first = await add('j1', T0 + 1000);
    clock.now = T0 + 2000;
    await hooks.update(toggled.id, { enabled: true }); // between j1's finish and j2's start
    clock.now = T0 + 5000;
    // Created after every event: receives none of them, whatever the replay window.
    const late = (await hooks.create({ url: 'https://hooks.example.com/late', project: 'p' })).webhook;
    clock.now = T0 + 10_000;

    await targets.reload();
    const events = new DomainEvents({ logger, now });
    const w = jobWebhooks({ repo, targets, events, marks, history, now });
    await w.start();
    await w.stop();

    const sent = async (hookId: string) =>
      (await repo.due(clock.now, 100)).filter((d) => d.target_id === hookId).map((d) => d.dedup_key);
    assert.deepEqual(
      await sent(early.id),
      [
        `job.started:${first}`,
        `job.finished:${first}`,
        `job.failed:${first}`,
        `job.started:${second}`,
        `job.finished:${second}`,
        `job.failed:${second}`,
      ],
      'every event of the window, in the order they happened',
    );
    assert.deepEqual(
      await sent(toggled.id),
      [`job.started:${second}`, `job.finished:${second}`, `job.failed:${second}`],
      'nothing from before it was enabled again',
    );
    assert.deepEqual(await sent(late.id), [], 'nothing from before it was created');
  },
);

testEachStore(
  "a job's last items batch is due before its finish, for a hook that takes items",
  {},
  async (t, store) => {
    const db = await openTestDatabase(t, store);
    const repo = createDeliveriesRepo(db);
    const marks = createConsumerMarks(db);
    const history = createJobHistoryRepo(db);
    const jobs = createJobsRepo(db);
    const now = Date.now;
    const targets = new TargetCatalog(repo);
    const hooks = new WebhookService({ repo, targets, box: new SecretBox(Buffer.alloc(32, 3)), now, wake: () => {} });
    const withItems = (
      await hooks.create({ url: 'https://hooks.example.com/i', project: 'p', items: true, itemsPerBatch: 2 })
    ).webhook;
    const eventsOnly = (await hooks.create({ url: 'https://hooks.example.com/e', project: 'p' })).webhook;
    await marks.set('webhooks', now());

    const itemsDir = mkdtempSync(join(tmpdir(), 'scrapyard-items-'));
    t.after(() => rmSync(itemsDir, { recursive: true, force: true }));
    mkdirSync(join(itemsDir, 'p', 's'), { recursive: true });
    writeFileSync(join(itemsDir, 'p', 's', 'j1.jl'), '{"n":0}\n{"n":1}\n{"n":2}\n');

    const events = new DomainEvents({ logger, now });
    const files = { logsDir: '', itemsDir };
    const items = new ItemBatches({ repo, jobs, targets, events, marks, history, files, now, logger, wake: () => {} });
    const w = jobWebhooks({ repo, targets, events, marks, history, now });
    await items.start();
    await w.start();
    t.after(async () => {
      await w.stop();
      await items.stop();
    });

    const runId = randomBytes(16).toString('hex');
    const job = { jobId: 'j1', runId, project: 'p', spider: 's' };
    const endedAt = now();
    events.publish({
      type: 'job.finished',
      job,
      nodeId: 'n1',
      attempt: 1,
      outcome: 'failed',
      exitCode: 1,
      reason: 'x',
      startedAt: endedAt - 1000,
      endedAt,
    });
    const dueKeys = async (hookId: string) =>
      (await repo.due(now() + 1_000, 100)).filter((d) => d.target_id === hookId).map((d) => d.dedup_key);
    await waitFor(async () => (await repo.log(eventsOnly.id, undefined, 10)).length === 2, { what: 'the finish' });
    assert.deepEqual(
      await dueKeys(eventsOnly.id),
      [`job.finished:${runId}`, `job.failed:${runId}`],
      'a hook without items gets the finish at once',
    );
    // Held until the last items batch is enqueued (unless the final pass, two seconds on, already ran).
    const early = await repo.log(withItems.id, undefined, 10);
    const finish = early.find((d) => d.event === 'job.finished');
    assert.ok(finish, 'the finish is in the outbox, held');
    assert.ok(
      finish.next_at > now() + 30_000 || early.some((d) => d.event === 'job.items'),
      'not due before its items',
    );

    const order = await waitFor(
      async () => {
        const keys = await dueKeys(withItems.id);
        return keys.length === 4 && keys;
      },
      { what: 'the final items pass' },
    );
    assert.deepEqual(order, [
      `job.items:${runId}:0`,
      `job.items:${runId}:16`,
      `job.finished:${runId}`,
      `job.failed:${runId}`,
    ]);
  },
);
