import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveEvent } from '@scrapyard/protocol';
import { applyRunningEvent, type RunningJob } from './running-jobs.js';

const job = { runId: 'r', project: 'p', spider: 's', at: 1_000 };
const started = (jobId: string, nodeId: string): LiveEvent => ({
  type: 'job.started',
  ...job,
  jobId,
  nodeId,
  pid: 1,
  attempt: 1,
});
const stats = (jobId: string, items: number, final = false): LiveEvent => ({
  type: 'job.stats',
  ...job,
  jobId,
  nodeId: 'n1',
  final,
  sampledAt: 2_000,
  items,
  requests: items * 2,
  responses: items * 2,
  errors: 1,
  finishReason: null,
});

void test('a start adds a row, stats update its counts, an end removes it', () => {
  let rows: readonly RunningJob[] = [];
  rows = applyRunningEvent(rows, started('a', 'n1'));
  rows = applyRunningEvent(rows, started('b', 'n1'));
  assert.deepEqual(
    rows.map((r) => r.jobId),
    ['b', 'a'],
  );
  rows = applyRunningEvent(rows, stats('a', 42));
  assert.deepEqual([rows[1]!.items, rows[1]!.requests, rows[1]!.errors], [42, 84, 1]);
  rows = applyRunningEvent(rows, {
    type: 'job.cancelled',
    ...job,
    jobId: 'b',
    previousState: 'running',
    signal: 'TERM',
    why: 'cancelled',
  });
  assert.deepEqual(
    rows.map((r) => r.jobId),
    ['a'],
  );
});

void test('a start seen twice is one row; stats of an unknown job change nothing', () => {
  const once = applyRunningEvent(applyRunningEvent([], started('a', 'n1')), started('a', 'n1'));
  assert.equal(once.length, 1);
  assert.equal(applyRunningEvent(once, stats('zzz', 1)), once);
});

void test('narrowed to a node, other nodes’ starts are ignored', () => {
  assert.equal(applyRunningEvent([], started('a', 'n2'), 'n1').length, 0);
  assert.equal(applyRunningEvent([], started('a', 'n1'), 'n1').length, 1);
});
