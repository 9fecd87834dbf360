import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { runAsRequest } from '../auth/request-context.js';
import { createAuditRepo, type AuditRow } from '../db/repos/audit.js';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { DomainEvents, type DomainEvent } from '../events/domain-events.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { auditPage } from './query.js';
import { AuditWriter } from './writer.js';

const logger = pino({ level: 'silent' });
const job = (i: number) => ({ jobId: `j${i}`, runId: `r${i}`, project: 'p', spider: 's' });
const queued = (i: number, scheduleId: string | null = null): DomainEvent => ({
  type: 'job.queued',
  job: job(i),
  priority: 0,
  tags: [],
  attempt: 1,
  scheduleId,
  argNames: ['api_key'],
  settingNames: ['AWS_SECRET_ACCESS_KEY'],
});
const ADMIN = { kind: 'admin', via: 'admin-token' } as const;
const ALICE = { kind: 'user', userId: 'u1', name: 'alice', grants: [] } as const;

async function setUp(t: Parameters<Parameters<typeof testEachStore>[2]>[0], store: 'sqlite' | 'postgres', o = {}) {
  const repo = createAuditRepo(await openTestDatabase(t, store));
  const inserts: number[] = [];
  const counted = {
    insert: async (rows: Parameters<typeof repo.insert>[0]) => {
      inserts.push(rows.length);
      return repo.insert(rows);
    },
  };
  const events = new DomainEvents({ logger });
  const writer = new AuditWriter({ repo: counted, events, logger, now: Date.now, ...o });
  writer.start();
  const all = async () => (await repo.page({ limit: 5_000 })).reverse();
  return { repo, events, writer, inserts, all };
}

const actor = (r: AuditRow) => [r.actor_kind, r.actor_id, r.actor_name, r.address];

testEachStore(
  'events published in a request carry its actor and address; others are the system',
  {},
  async (t, store) => {
    const { events, writer, all } = await setUp(t, store);
    runAsRequest(ALICE, '10.0.0.7', () => events.publish(queued(1)));
    // A context survives awaits: what a request causes later in its handler is still its own.
    await runAsRequest(ADMIN, '10.0.0.8', async () => {
      await new Promise((r) => setImmediate(r));
      events.publish({ type: 'node.cordoned', nodeId: 'n1', cordoned: true });
    });
    events.publish({ type: 'node.revoked', nodeId: 'n2' });
    // A schedule's job is the system's, even when a request set it off; the run-now is the user's.
    runAsRequest(ALICE, '10.0.0.7', () => {
      events.publish(queued(2, 'sch-1'));
      events.publish({
        type: 'schedule.fired',
        scheduleId: 'sch-1',
        project: 'p',
        scheduledAt: 1,
        trigger: 'manual',
        status: 'queued',
        reasonCode: null,
        reason: null,
        jobId: 'j2',
      });
    });
    events.publish({
      type: 'schedule.fired',
      scheduleId: 'sch-1',
      project: 'p',
      scheduledAt: 2,
      trigger: 'cron',
      status: 'queued',
      reasonCode: null,
      reason: null,
      jobId: 'j3',
    });
    runAsRequest(undefined, '10.0.0.9', () =>
      events.publish({ type: 'node.registered', nodeId: 'n3', enrollKey: 'enr_1', again: false }),
    );
    await writer.close();
    const rows = await all();
    assert.deepEqual(
      rows.map((r) => [r.action, r.target, ...actor(r)]),
      [
        ['job.schedule', 'j1', 'user', 'u1', 'alice', '10.0.0.7'],
        ['node.cordon', 'n1', 'admin', null, null, '10.0.0.8'],
        ['node.revoke', 'n2', 'system', null, null, null],
        ['job.schedule', 'j2', 'system', null, null, null],
        ['schedule.run', 'sch-1', 'user', 'u1', 'alice', '10.0.0.7'],
        ['node.register', 'n3', 'node', 'n3', null, '10.0.0.9'],
      ],
    );
    assert.deepEqual(JSON.parse(rows[0]!.summary), {
      spider: 's',
      via: 'request',
      priority: 0,
      args: ['api_key'],
      settings: ['AWS_SECRET_ACCESS_KEY'],
    });
    assert.equal(JSON.parse(rows[3]!.summary).schedule, 'sch-1');
  },
);

testEachStore('thousands of events cost a few batched INSERTs, all written by close', {}, async (t, store) => {
  const { events, writer, inserts, all } = await setUp(t, store, { flushMs: 60_000, batchRows: 500 });
  for (let i = 0; i < 2_000; i++) events.publish(queued(i));
  assert.equal(inserts.length, 0, 'nothing is written on the publisher’s stack');
  await writer.close();
  assert.ok(inserts.length <= 4, `${inserts.length} writes`);
  assert.equal(
    inserts.reduce((a, b) => a + b, 0),
    2_000,
  );
  const rows = await all();
  assert.deepEqual(
    rows.map((r) => r.target),
    Array.from({ length: 2_000 }, (_, i) => `j${i}`),
  );
});

testEachStore(
  'the queue is bounded: what it cannot hold is counted in an audit.dropped entry',
  {},
  async (t, store) => {
    const { events, writer, all } = await setUp(t, store, { flushMs: 60_000, batchRows: 10_000, maxQueued: 100 });
    for (let i = 0; i < 250; i++) events.publish(queued(i));
    assert.equal(writer.queued, 100);
    assert.equal(writer.dropped, 150);
    await writer.close();
    const rows = await all();
    assert.equal(rows.length, 101);
    assert.deepEqual([rows.at(-1)!.action, JSON.parse(rows.at(-1)!.summary)], ['audit.dropped', { entries: 150 }]);
  },
);

testEachStore('repeated failed logins from one address are one entry with a count', {}, async (t, store) => {
  const { events, writer, all } = await setUp(t, store, { flushMs: 60_000 });
  const fail = (username: string, address: string) =>
    events.publish({ type: 'access.login', ok: false, username, address, via: 'basic', reason: 'wrong password' });
  for (let i = 0; i < 50; i++) fail('admin', '10.0.0.1');
  fail('admin', '10.0.0.2');
  await writer.close();
  const rows = await all();
  assert.deepEqual(
    rows.map((r) => [r.action, r.target, r.actor_kind, r.address, JSON.parse(r.summary).attempts]),
    [
      ['login.failed', 'admin', 'anonymous', '10.0.0.1', 50],
      ['login.failed', 'admin', 'anonymous', '10.0.0.2', undefined],
    ],
  );
});

void test('an entry waits at most flushMs', async (t) => {
  const { events, writer, all } = await setUp(t, 'sqlite', { flushMs: 20 });
  events.publish({ type: 'node.revoked', nodeId: 'n1' });
  // Written by the timer alone: no flush, no close.
  await waitFor(async () => ((await all()).length === 1 ? true : undefined), { timeoutMs: 10_000, what: 'the entry' });
  await writer.close();
});

testEachStore('each entry written is announced as the REST API lists it, with its id', {}, async (t, store) => {
  const { events, writer, repo } = await setUp(t, store);
  const announced: unknown[] = [];
  events.on('audit.appended', (e) => announced.push(e.entry));
  runAsRequest(ALICE, '10.0.0.7', () => events.publish(queued(1)));
  events.publish({ type: 'node.revoked', nodeId: 'n2' });
  assert.equal(announced.length, 0, 'not before it is written');
  await writer.flush();
  const listed = await auditPage(repo, { limit: 10 });
  assert.deepEqual(announced, listed.entries.reverse());
  assert.equal(announced.length, 2);
});
