import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { PolicyStore } from '../services/policy-store.js';
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

testEachStore('run limits: the job’s own win over the spider’s, which win over the project’s', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const policies = new PolicyStore(db, 0);
  await policies.load();
  const base = {
    tags: null,
    maxRunning: null,
    retries: null,
    maxRunSeconds: null,
    stallSeconds: null,
    killGraceSeconds: null,
  };
  assert.deepEqual(policies.limitsFor('p', 's', null), {
    maxRunSeconds: null,
    stallSeconds: null,
    killGraceSeconds: 30,
  });
  await policies.put('p', '', { ...base, maxRunSeconds: 100, stallSeconds: 50, killGraceSeconds: 5 }, 1);
  await policies.put('p', 's', { ...base, maxRunSeconds: 10 }, 1);
  assert.deepEqual(policies.limitsFor('p', 's', null), { maxRunSeconds: 10, stallSeconds: 50, killGraceSeconds: 5 });
  assert.deepEqual(policies.limitsFor('p', 'other', { stallSeconds: 7 }), {
    maxRunSeconds: 100,
    stallSeconds: 7,
    killGraceSeconds: 5,
  });
  // Kept in the database: a new store reads the same.
  const again = new PolicyStore(db, 0);
  await again.load();
  assert.deepEqual(again.get('p', 's'), { ...base, maxRunSeconds: 10 });
});
