import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSeries, successRate } from './run-series.js';

const run = (id: string, outcome: string | null, startedAt: number | null, endedAt: number | null, items?: number) => ({
  id,
  outcome,
  startedAt,
  endedAt,
  stats: items === undefined ? null : { items, errors: items % 3 },
});

void test('series: finished runs oldest first, duration in seconds, gaps for runs without stats', () => {
  const s = runSeries([
    run('c', 'succeeded', 20_000, 26_000, 5),
    run('p', null, null, null),
    run('b', 'failed', null, 15_000),
    run('a', 'succeeded', 1_000, 3_500, 4),
  ]);
  assert.deepEqual(s, {
    x: [3.5, 15, 26],
    items: [4, null, 5],
    duration: [2.5, null, 6],
    errors: [1, null, 2],
    ids: ['a', 'b', 'c'],
  });
});

void test('success rate: cancelled and unfinished runs are not judged', () => {
  assert.equal(successRate([]), null);
  assert.equal(successRate([{ outcome: 'cancelled' }, { outcome: null }]), null);
  assert.deepEqual(
    successRate([
      { outcome: 'succeeded' },
      { outcome: 'failed' },
      { outcome: 'cancelled' },
      { outcome: 'succeeded' },
      { outcome: 'timed_out' },
    ]),
    { rate: 0.5, of: 4 },
  );
});
