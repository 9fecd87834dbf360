import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveEvent, Overview } from '@scrapyard/protocol';
import { applyOverviewEvent } from './overview-live.js';

const DAY = { tz: 'UTC', start: 1_000_000, end: 1_000_000 + 86_400_000 };
const base: Overview = {
  nodes: { online: 1, total: 1, slotsUsed: 1, slotsFree: 3 },
  jobs: { pending: 2, running: 1, finishedToday: 5, failedToday: 1, outcomesToday: { succeeded: 4, failed: 1 } },
  alertsFiring: 0,
  day: DAY,
  at: DAY.start + 10,
};
const job = { jobId: 'j1', runId: 'r1', project: 'p', spider: 's', at: DAY.start + 100 };
const finished = (outcome: 'succeeded' | 'failed' | 'cancelled', startedAt: number | null, endedAt: number) =>
  ({
    type: 'job.finished',
    ...job,
    nodeId: 'n1',
    attempt: 1,
    outcome,
    exitCode: 0,
    reason: null,
    startedAt,
    endedAt,
  }) as const satisfies LiveEvent;

void test('a queued job is pending, a started one moves from pending to running', () => {
  const q = applyOverviewEvent(base, {
    type: 'job.queued',
    ...job,
    priority: 0,
    tags: [],
    attempt: 1,
    scheduleId: null,
    argNames: [],
    settingNames: [],
  });
  assert.equal(q.overview.jobs.pending, 3);
  assert.equal(q.refetch, true);
  const s = applyOverviewEvent(q.overview, { type: 'job.started', ...job, nodeId: 'n1', pid: 7, attempt: 1 });
  assert.deepEqual([s.overview.jobs.pending, s.overview.jobs.running], [2, 2]);
});

void test('a run ending today counts as finished, and as failed by its outcome', () => {
  const ok = applyOverviewEvent(base, finished('succeeded', DAY.start, DAY.start + 500)).overview.jobs;
  assert.deepEqual([ok.running, ok.finishedToday, ok.failedToday, ok.outcomesToday.succeeded], [0, 6, 1, 5]);
  const bad = applyOverviewEvent(base, finished('failed', DAY.start, DAY.start + 500)).overview.jobs;
  assert.deepEqual([bad.finishedToday, bad.failedToday, bad.outcomesToday.failed], [6, 2, 2]);
  const cancelled = applyOverviewEvent(base, finished('cancelled', DAY.start, DAY.start + 500)).overview.jobs;
  assert.equal(cancelled.failedToday, 1);
});

void test('a start that failed leaves pending; an end outside the day counted is not today', () => {
  const never = applyOverviewEvent(base, finished('failed', null, DAY.start + 500)).overview.jobs;
  assert.deepEqual([never.pending, never.running], [1, 1]);
  const tomorrow = applyOverviewEvent(base, finished('failed', DAY.start, DAY.end)).overview.jobs;
  assert.deepEqual([tomorrow.running, tomorrow.finishedToday, tomorrow.failedToday], [0, 5, 1]);
});

void test('counters never go below zero', () => {
  const empty = { ...base, jobs: { ...base.jobs, pending: 0, running: 0 } };
  const s = applyOverviewEvent(empty, { type: 'job.started', ...job, nodeId: 'n1', pid: 7, attempt: 1 });
  assert.equal(s.overview.jobs.pending, 0);
});

void test('node and alert events ask for a re-fetch; stats neither change nor re-fetch', () => {
  const n = applyOverviewEvent(base, { type: 'node.offline', at: 1, nodeId: 'n1', kind: 'embedded', lastSeen: 1 });
  assert.equal(n.overview, base);
  assert.equal(n.refetch, true);
  const a = applyOverviewEvent(base, {
    type: 'alert.changed',
    at: 1,
    alertId: 'a',
    ruleId: 'r',
    ruleKind: 'crawl_failed',
    project: null,
    subject: 'x',
    state: 'firing',
  });
  assert.equal(a.refetch, true);
  const st = applyOverviewEvent(base, {
    type: 'job.stats',
    ...job,
    nodeId: 'n1',
    final: false,
    sampledAt: 1,
    items: 3,
    requests: 4,
    responses: 4,
    errors: 0,
    finishReason: null,
  });
  assert.deepEqual(st, { overview: base, refetch: false });
});
