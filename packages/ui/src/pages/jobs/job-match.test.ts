import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveEvent } from '@scrapyard/protocol';
import { admitsQueued, arrival, jobMatches, mayEnter, type Matchable } from './job-match.js';

const base = { at: 2_000, runId: 'r-a', project: 'demo', spider: 'quick', jobId: 'a' };
const queuedOf = (tags: string[]): Extract<LiveEvent, { type: 'job.queued' }> => ({
  type: 'job.queued',
  ...base,
  ...{ priority: 0, tags, attempt: 1 },
  ...{ scheduleId: null, argNames: [], settingNames: [] },
});
const row: Matchable = {
  project: 'demo',
  spider: 'quick',
  state: 'finished',
  outcome: 'failed',
  nodeId: 'n1',
  tags: ['gpu'],
  createdAt: 2_000,
};

void test('a row matches when every filter set admits it', () => {
  assert.equal(jobMatches(row, {}), true);
  assert.equal(
    jobMatches(row, {
      project: 'demo',
      spider: 'quick',
      state: 'running,finished',
      outcome: 'failed',
      nodeId: 'n1',
      tag: 'gpu',
      since: '2000',
      until: '2001',
    }),
    true,
  );
  for (const f of [
    { project: 'other' },
    { spider: 'slow' },
    { state: 'running' },
    { outcome: 'succeeded' },
    { nodeId: 'n2' },
    { tag: 'cpu' },
    { since: '2001' },
    { until: '2000' },
  ]) {
    assert.equal(jobMatches(row, f), false, JSON.stringify(f));
  }
});

void test('a queued job is admitted only where the filters let it in', () => {
  const e = queuedOf(['gpu']);
  assert.equal(admitsQueued({}, e), true);
  assert.equal(admitsQueued({ project: 'demo', spider: 'quick', tag: 'gpu', state: 'pending,running' }, e), true);
  assert.equal(admitsQueued({ project: 'other' }, e), false);
  assert.equal(admitsQueued({ state: 'finished' }, e), false);
  assert.equal(admitsQueued({ outcome: 'failed' }, e), false);
  assert.equal(admitsQueued({ tag: 'cpu' }, e), false);
  assert.equal(admitsQueued({ since: '3000' }, e), false);
  assert.equal(admitsQueued({ until: '2000' }, e), false);
});

void test('a job not listed may enter a state filter by starting, ending or going back to pending', () => {
  const started: LiveEvent = { type: 'job.started', ...base, nodeId: 'n1', pid: 1, attempt: 1 };
  const finished: LiveEvent = {
    type: 'job.finished',
    ...base,
    nodeId: 'n1',
    attempt: 1,
    outcome: 'failed',
    exitCode: 1,
    reason: null,
    startedAt: 1_000,
    endedAt: 2_000,
  };
  const requeued: LiveEvent = { type: 'job.requeued', ...base, previousRunId: 'r-0', attempt: 2, reason: 'lost' };
  assert.equal(mayEnter({}, started), false, 'no state filter: only queued jobs are new');
  assert.equal(mayEnter({ state: 'running' }, started), true);
  assert.equal(mayEnter({ state: 'running', nodeId: 'n2' }, started), false);
  assert.equal(mayEnter({ state: 'running', project: 'other' }, started), false);
  assert.equal(mayEnter({ state: 'pending' }, started), false);
  assert.equal(mayEnter({ state: 'finished' }, finished), true);
  assert.equal(mayEnter({ state: 'finished', outcome: 'succeeded' }, finished), false);
  assert.equal(mayEnter({ state: 'pending' }, requeued), true);
  assert.equal(mayEnter({ state: 'pending', nodeId: 'n1' }, requeued), false);
});

void test('a job not shown: put in place on the first page, a queued one counted on a later page', () => {
  const queued = queuedOf([]);
  const started: LiveEvent = { type: 'job.started', ...base, nodeId: 'n1', pid: 1, attempt: 1 };
  assert.equal(arrival(queued, {}, true, false), 'insert');
  assert.equal(arrival(queued, {}, false, false), 'count');
  assert.equal(arrival(queued, { project: 'other' }, false, false), 'none');
  assert.equal(arrival(started, { state: 'running' }, true, false), 'insert');
  assert.equal(arrival(started, { state: 'running' }, false, false), 'none', 'it may belong to any page');
  assert.equal(arrival(started, { state: 'running' }, true, true), 'none', 'shown: changed in place');
  assert.equal(arrival(started, {}, true, false), 'none');
});
