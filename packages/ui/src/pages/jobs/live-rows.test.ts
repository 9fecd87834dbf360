import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';
import { admitsQueued, applyEvent, itemsOf, prepend, rowsOf } from './live-rows.js';

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

void test('a queued job is admitted only where the filters let it in', () => {
  const e = {
    type: 'job.queued' as const,
    ...base,
    jobId: 'n',
    priority: 0,
    tags: ['gpu'],
    attempt: 1,
    scheduleId: null,
    argNames: [],
    settingNames: [],
  };
  assert.equal(admitsQueued({}, e), true);
  assert.equal(admitsQueued({ project: 'demo', spider: 'quick', tag: 'gpu', state: 'pending,running' }, e), true);
  assert.equal(admitsQueued({ project: 'other' }, e), false);
  assert.equal(admitsQueued({ state: 'finished' }, e), false);
  assert.equal(admitsQueued({ outcome: 'failed' }, e), false);
  assert.equal(admitsQueued({ tag: 'cpu' }, e), false);
  assert.equal(admitsQueued({ since: '3000' }, e), false);
  assert.equal(admitsQueued({ until: '2000' }, e), false);
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
