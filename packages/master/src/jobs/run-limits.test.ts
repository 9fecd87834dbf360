import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { PolicyStore } from '../services/policy-store.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { retryDelayMs, uniqueKeyOf } from './job-service.js';
import { verdict } from './run-limits.js';

const limits = (
  o: Partial<{ maxRunSeconds: number | null; stallSeconds: number | null; killGraceSeconds: number }>,
) => ({
  maxRunSeconds: null,
  stallSeconds: null,
  killGraceSeconds: 30,
  ...o,
});

void test('a run is stopped at its maximum run time or after its stall window, then killed every grace', () => {
  const running = { startedAt: 0, lastProgress: 0, stoppedAt: null };
  assert.deepEqual(verdict(running, limits({}), 10 ** 9), { action: 'none' });
  assert.deepEqual(verdict(running, limits({ maxRunSeconds: 10 }), 9_999), { action: 'none' });
  const timedOut = verdict(running, limits({ maxRunSeconds: 10 }), 10_000);
  assert.deepEqual([timedOut.action, 'outcome' in timedOut && timedOut.outcome], ['stop', 'timed_out']);
  assert.match((timedOut as { reason: string }).reason, /maximum run time of 10 s/);
  const progressing = { startedAt: 0, lastProgress: 50_000, stoppedAt: null };
  assert.deepEqual(verdict(progressing, limits({ stallSeconds: 60 }), 109_999), { action: 'none' });
  const stalled = verdict(progressing, limits({ stallSeconds: 60 }), 110_000);
  assert.deepEqual([stalled.action, 'outcome' in stalled && stalled.outcome], ['stop', 'stalled']);
  // The maximum run time wins when both hold.
  const both = verdict(running, limits({ maxRunSeconds: 5, stallSeconds: 5 }), 5_000);
  assert.equal('outcome' in both && both.outcome, 'timed_out');
  const stopping = { startedAt: 0, lastProgress: 0, stoppedAt: 100_000 };
  assert.deepEqual(verdict(stopping, limits({ maxRunSeconds: 5, killGraceSeconds: 3 }), 102_999), { action: 'none' });
  assert.deepEqual(verdict(stopping, limits({ maxRunSeconds: 5, killGraceSeconds: 3 }), 103_000), { action: 'kill' });
});

testEachStore('policies: the job’s own win over the spider’s, which win over the project’s', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const policies = new PolicyStore(db, 1);
  await policies.load();
  const base = {
    tags: null,
    maxRunning: null,
    retries: null,
    maxRunSeconds: null,
    stallSeconds: null,
    killGraceSeconds: null,
    retryOn: null,
    retryBackoffSeconds: null,
    retryBackoffMaxSeconds: null,
    uniqueArgs: null,
    startRate: null,
  };
  const defaults = {
    maxRunSeconds: null,
    stallSeconds: null,
    killGraceSeconds: 30,
    retries: 1,
    retryOn: ['lost'],
    retryBackoffSeconds: 10,
    retryBackoffMaxSeconds: 600,
    uniqueArgs: null,
  };
  assert.deepEqual(policies.limitsFor('p', 's', null), defaults);
  await policies.put(
    'p',
    '',
    { ...base, maxRunSeconds: 100, stallSeconds: 50, killGraceSeconds: 5, retries: 3, retryOn: ['failed', 'failed'] },
    1,
  );
  await policies.put('p', 's', { ...base, maxRunSeconds: 10, retryBackoffSeconds: 2 }, 1);
  assert.deepEqual(policies.limitsFor('p', 's', null), {
    ...defaults,
    maxRunSeconds: 10,
    stallSeconds: 50,
    killGraceSeconds: 5,
    retries: 3,
    retryOn: ['failed'],
    retryBackoffSeconds: 2,
  });
  assert.deepEqual(policies.limitsFor('p', 'other', { stallSeconds: 7, retries: 0 }), {
    ...defaults,
    maxRunSeconds: 100,
    stallSeconds: 7,
    killGraceSeconds: 5,
    retries: 0,
    retryOn: ['failed'],
  });
  // Kept in the database: a new store reads the same.
  const again = new PolicyStore(db, 1);
  await again.load();
  assert.deepEqual(again.get('p', 's'), { ...base, maxRunSeconds: 10, retryBackoffSeconds: 2 });
  assert.deepEqual(again.get('p').retryOn, ['failed']);
});

void test('retry delays double from the base up to the maximum, with ±20 % jitter', () => {
  const p = { retryBackoffSeconds: 10, retryBackoffMaxSeconds: 60 };
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((a) => retryDelayMs(a, p, () => 0.5)),
    [10_000, 20_000, 40_000, 60_000, 60_000],
  );
  assert.equal(
    retryDelayMs(1, p, () => 0),
    8_000,
  );
  assert.equal(
    retryDelayMs(1, p, () => 1),
    12_000,
  );
  assert.equal(
    retryDelayMs(3, { retryBackoffSeconds: 0, retryBackoffMaxSeconds: 60 }, () => 0.7),
    0,
  );
});

testEachStore('two racing submits with one unique key: the index lets exactly one in', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const jobs = createJobsRepo(db);
  const job = (runId: string) => ({
    runId,
    jobId: `job-${runId}`,
    project: 'p',
    spider: 's',
    versionRequested: null,
    settings: [],
    args: [['category', 'books']] as [string, string][],
    priority: 0,
    createdAt: 1,
    tags: [],
    uniqueKey: uniqueKeyOf('p', 's', [['category', 'books']], ['category']),
  });
  const results = await Promise.all(
    ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)].map((id) => jobs.insertUnique(job(id))),
  );
  assert.deepEqual(results.filter(Boolean).length, 1, JSON.stringify(results));
  // A different key is not blocked (a finished holder is not either: see the e2e test).
  assert.equal(
    await jobs.insertUnique({ ...job('d'.repeat(32)), uniqueKey: uniqueKeyOf('p', 's', [], ['category']) }),
    true,
  );
  assert.equal(uniqueKeyOf('p', 's', [['x', '1']], []), '["p","s"]');
});
