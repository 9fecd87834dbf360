import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';
import { applyEvent, insertByAge, itemsOf, prepend, rowsOf } from './live-rows.js';

const job = (id: string, over: Partial<JobInfo> = {}): JobInfo => ({
  id,
  runId: `r-${id}`,
  project: 'demo',
  spider: 'quick',
  state: 'pending',
  versionRequested: null,
  version: null,
  args: {},
  settings: {},
  nodeId: null,
  tags: [],
  priority: 0,
  attempt: 1,
  pendingReason: 'no free slot',
  unreachable: false,
  pid: null,
  outcome: null,
  exitCode: null,
  reason: null,
  createdAt: 1_000,
  startedAt: null,
  endedAt: null,
  scheduleId: null,
  policy: {
    maxRunSeconds: null,
    stallSeconds: null,
    killGraceSeconds: 30,
    retries: 0,
    retryOn: ['lost'],
    retryBackoffSeconds: 10,
    retryBackoffMaxSeconds: 600,
    uniqueArgs: null,
  },
  stats: null,
  ...over,
});
const base = { at: 2_000, runId: 'r-a', project: 'demo', spider: 'quick' };

void test('pending → running → finished change the row in place', () => {
  let rows = rowsOf([job('a'), job('b')]);
  rows = applyEvent(rows, { type: 'job.started', ...base, jobId: 'a', nodeId: 'n1', pid: 42, attempt: 1 });
  assert.equal(rows.jobs[0]!.state, 'running');
  assert.equal(rows.jobs[0]!.nodeId, 'n1');
  assert.equal(rows.jobs[0]!.pendingReason, null);
  assert.equal(rows.jobs[1]!.state, 'pending', 'the other row is untouched');
  rows = applyEvent(rows, {
    type: 'job.finished',
    ...base,
    at: 3_000,
    jobId: 'a',
    nodeId: 'n1',
    attempt: 1,
    outcome: 'succeeded',
    exitCode: 0,
    reason: null,
    startedAt: 2_000,
    endedAt: 3_000,
  });
  assert.deepEqual(
    [rows.jobs[0]!.state, rows.jobs[0]!.outcome, rows.jobs[0]!.endedAt],
    ['finished', 'succeeded', 3_000],
  );
});

void test('an event about a job not shown changes nothing', () => {
  const rows = rowsOf([job('a')]);
  const e: LiveEvent = { type: 'job.started', ...base, jobId: 'zz', nodeId: 'n1', pid: 1, attempt: 1 };
  assert.equal(applyEvent(rows, e), rows);
  assert.equal(applyEvent(rows, { type: 'node.revoked', at: 1, nodeId: 'n1' }), rows);
  const other: LiveEvent = { ...e, jobId: 'a', project: 'other' };
  assert.equal(applyEvent(rows, other), rows, 'the same job id in another project is another job');
});

void test('a cancelled pending job leaves; a cancelled running one is stopping until it finishes', () => {
  const cancelled = (jobId: string, previousState: 'pending' | 'running'): LiveEvent => ({
    type: 'job.cancelled',
    ...base,
    jobId,
    previousState,
    signal: null,
    why: 'cancelled',
  });
  let rows = rowsOf([job('a'), job('b', { state: 'running' })]);
  rows = applyEvent(rows, cancelled('a', 'pending'));
  assert.deepEqual(
    rows.jobs.map((j) => j.id),
    ['b'],
  );
  rows = applyEvent(rows, cancelled('b', 'running'));
  assert.ok(rows.stopping.has('demo/b'));
  rows = applyEvent(rows, {
    type: 'job.finished',
    ...base,
    jobId: 'b',
    nodeId: 'n1',
    attempt: 1,
    outcome: 'cancelled',
    exitCode: null,
    reason: null,
    startedAt: 1,
    endedAt: 2,
  });
  assert.equal(rows.stopping.has('demo/b'), false);
  assert.equal(rows.jobs[0]!.outcome, 'cancelled');
});

void test('a requeued job is pending again with its reason; live stats land on the row', () => {
  let rows = rowsOf([job('a', { state: 'running', nodeId: 'n1', stats: null })]);
  rows = applyEvent(rows, {
    type: 'job.stats',
    ...base,
    jobId: 'a',
    nodeId: 'n1',
    final: false,
    sampledAt: 1,
    items: 7,
    requests: 9,
    responses: 9,
    errors: 0,
    finishReason: null,
  });
  assert.equal(itemsOf(rows, rows.jobs[0]!), 7);
  rows = applyEvent(rows, {
    type: 'job.requeued',
    ...base,
    runId: 'r-2',
    jobId: 'a',
    previousRunId: 'r-a',
    attempt: 2,
    reason: 'node n1 went offline',
  });
  assert.deepEqual(
    [rows.jobs[0]!.state, rows.jobs[0]!.attempt, rows.jobs[0]!.nodeId, rows.jobs[0]!.pendingReason],
    ['pending', 2, null, 'node n1 went offline'],
  );
});

void test('prepend puts a new job on top once, within the page size', () => {
  let rows = rowsOf([job('a'), job('b')]);
  rows = prepend(rows, job('c'), 2);
  assert.deepEqual(
    rows.jobs.map((j) => j.id),
    ['c', 'a'],
  );
  assert.equal(prepend(rows, job('c'), 2), rows);
});

void test('with filters, a row an event takes out of them leaves, with its counters', () => {
  const running = { state: 'running' };
  let rows = rowsOf([job('a', { state: 'running', nodeId: 'n1' }), job('b', { state: 'running', nodeId: 'n1' })]);
  const counts = { items: 3, requests: 4, responses: 4, errors: 0, finishReason: null };
  const stats: LiveEvent = {
    type: 'job.stats',
    ...base,
    jobId: 'a',
    ...{ nodeId: 'n1', final: false, sampledAt: 1 },
    ...counts,
  };
  rows = applyEvent(rows, stats, running);
  assert.equal(itemsOf(rows, rows.jobs[0]!), 3, 'still running: it stays');
  const end = { nodeId: 'n1', attempt: 1, outcome: 'succeeded', exitCode: 0, reason: 'finished' } as const;
  const finished: LiveEvent = { type: 'job.finished', ...base, jobId: 'a', ...end, startedAt: 2_000, endedAt: 3_000 };
  const after = applyEvent(rows, finished, running);
  assert.deepEqual(
    after.jobs.map((j) => j.id),
    ['b'],
  );
  assert.deepEqual(after.live, {});
  assert.equal(applyEvent(rows, finished, {}).jobs.length, 2, 'no filter: it stays, finished');
  assert.equal(applyEvent(rows, finished, { state: 'running,finished' }).jobs[0]!.state, 'finished');
  const requeued = applyEvent(
    rows,
    { type: 'job.requeued', ...base, jobId: 'b', runId: 'r-b2', previousRunId: 'r-b', attempt: 2, reason: 'lost' },
    { nodeId: 'n1' },
  );
  assert.deepEqual(
    requeued.jobs.map((j) => j.id),
    ['a'],
    'requeued: no longer on the node filtered',
  );
});

void test('insertByAge puts a job where its creation time ranks it, not past a full page', () => {
  const rows = rowsOf([job('c', { createdAt: 300 }), job('a', { createdAt: 100 })]);
  assert.deepEqual(
    insertByAge(rows, job('b', { createdAt: 200 }), 3).jobs.map((j) => j.id),
    ['c', 'b', 'a'],
  );
  assert.deepEqual(
    insertByAge(rows, job('d', { createdAt: 400 }), 2).jobs.map((j) => j.id),
    ['d', 'c'],
  );
  assert.equal(insertByAge(rows, job('z', { createdAt: 50 }), 2), rows, 'older than a full page: a later page');
  assert.deepEqual(
    insertByAge(rows, job('z', { createdAt: 50 }), 3).jobs.map((j) => j.id),
    ['c', 'a', 'z'],
  );
  assert.equal(insertByAge(rows, job('c', { createdAt: 300 }), 3), rows, 'already shown');
});
