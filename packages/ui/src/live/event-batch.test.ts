/** The live events' batching, driven by a hand-set clock and hand-run timers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBatch } from './event-batch.js';

function setup(maxItems = 100) {
  let now = 1_000;
  const timers: { at: number; fn: () => void }[] = [];
  const batches: string[][] = [];
  const batch = new EventBatch<string>({
    deliver: (items) => batches.push([...items]),
    minGapMs: 250,
    maxItems,
    now: () => now,
    setTimeout: (fn, ms) => void timers.push({ at: now + ms, fn }),
  });
  /** Moves the clock to `t`, running the timers due by then in order. */
  const advance = (t: number) => {
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > t) break;
      timers.shift();
      now = Math.max(now, next.at);
      next.fn();
    }
    now = t;
  };
  return { batch, batches, timers, advance };
}

void test('a quiet stream: each event goes out on the next turn, alone', () => {
  const { batch, batches, timers, advance } = setup();
  batch.push('a');
  assert.deepEqual(batches, [], 'not synchronously: the rest of this turn joins it');
  assert.equal(timers[0]!.at, 1_000, 'no wait before the first batch');
  advance(1_000);
  assert.deepEqual(batches, [['a']]);
  advance(2_000);
  batch.push('b');
  advance(2_000);
  assert.deepEqual(batches, [['a'], ['b']], 'long after the last batch: no wait either');
});

void test('a busy stream: events within the gap go out together, in order, at most once per gap', () => {
  const { batch, batches, advance } = setup();
  batch.push('e1');
  advance(1_000);
  for (const [t, e] of [
    [1_010, 'e2'],
    [1_100, 'reset'],
    [1_200, 'e3'],
  ] as const) {
    advance(t);
    batch.push(e);
  }
  advance(1_249);
  assert.deepEqual(batches, [['e1']], 'nothing before the gap has passed');
  advance(1_250);
  assert.deepEqual(batches, [['e1'], ['e2', 'reset', 'e3']]);
  batch.push('e4');
  advance(1_499);
  assert.equal(batches.length, 2);
  advance(1_500);
  assert.deepEqual(batches.at(-1), ['e4']);
});

void test('a full batch goes out at once; the timer pending then delivers only what came after', () => {
  const { batch, batches, advance } = setup(3);
  batch.push('a');
  batch.push('b');
  batch.push('c');
  assert.deepEqual(batches, [['a', 'b', 'c']], 'the queue never outgrows maxItems');
  advance(1_000);
  assert.equal(batches.length, 1, 'the pending timer finds nothing to send');
  batch.push('d');
  advance(1_250);
  assert.deepEqual(batches, [['a', 'b', 'c'], ['d']]);
});
