import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffStats, formatDelta } from './stats-diff.js';

void test('diff: every key of either run, sorted; one-sided keys marked; numeric deltas', () => {
  const rows = diffStats(
    { item_scraped_count: 10, finish_reason: 'finished', 'log_count/ERROR': 2, only_a: 1 },
    { item_scraped_count: 14, finish_reason: 'shutdown', 'log_count/ERROR': 2, only_b: null },
  );
  assert.deepEqual(
    rows.map((r) => [r.key, r.presence, r.delta, r.changed]),
    [
      ['finish_reason', 'both', null, true],
      ['item_scraped_count', 'both', 4, true],
      ['log_count/ERROR', 'both', 0, false],
      ['only_a', 'a', null, true],
      ['only_b', 'b', null, true],
    ],
  );
  const onlyB = rows.find((r) => r.key === 'only_b')!;
  assert.equal(onlyB.a, undefined, 'absent, not null');
  assert.equal(onlyB.b, null);
});

void test('diff: a number against text has no delta; inherited keys are not stats', () => {
  const a = Object.create({ inherited: 1 }) as Record<string, number>;
  a.x = 1;
  const rows = diffStats(a, { x: 'one' });
  assert.deepEqual(rows, [{ key: 'x', a: 1, b: 'one', delta: null, presence: 'both', changed: true }]);
});

void test('delta: signed, with the relative change when the first value is not 0', () => {
  assert.equal(formatDelta({ a: 10, delta: 5 }), '+5 (+50 %)');
  assert.equal(formatDelta({ a: 10, delta: -3 }), '−3 (−30 %)');
  assert.equal(formatDelta({ a: 0, delta: 7 }), '+7');
  assert.equal(formatDelta({ a: 4, delta: 0 }), '0');
  assert.equal(formatDelta({ a: 1.5, delta: 0.25 }), '+0.25 (+17 %)');
  assert.equal(formatDelta({ a: 'x', delta: null }), '');
});
