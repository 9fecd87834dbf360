import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveEvent } from '@scrapyard/protocol';
import { applyFailureEvent, FAILURES_SHOWN, type Failure } from './recent-failures.js';

const end = (jobId: string, outcome: 'failed' | 'succeeded' | 'timed_out'): LiveEvent => ({
  type: 'job.finished',
  jobId,
  runId: 'r',
  project: 'p',
  spider: 's',
  at: 1,
  nodeId: 'n1',
  attempt: 1,
  outcome,
  exitCode: 1,
  reason: 'boom',
  startedAt: 0,
  endedAt: 1,
});

void test('a failing end goes first, a success is not a failure, the list stays bounded', () => {
  let rows: readonly Failure[] = [];
  rows = applyFailureEvent(rows, end('a', 'failed'));
  rows = applyFailureEvent(rows, end('b', 'succeeded'));
  rows = applyFailureEvent(rows, end('c', 'timed_out'));
  assert.deepEqual(
    rows.map((r) => `${r.jobId}:${r.outcome}`),
    ['c:timed_out', 'a:failed'],
  );
  for (let i = 0; i < 20; i++) rows = applyFailureEvent(rows, end(`x${i}`, 'failed'));
  assert.equal(rows.length, FAILURES_SHOWN);
  assert.equal(rows[0]!.jobId, 'x19');
});
