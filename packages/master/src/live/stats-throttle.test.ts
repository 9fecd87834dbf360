import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatsThrottle } from './stats-throttle.js';

/** Timers run by hand: `tick()` fires what is due. */
function manualTimers() {
  let now = 0;
  const due: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  return {
    setTimer: (fn: () => void, ms: number) => {
      const id = ++next;
      due.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      const i = due.findIndex((d) => d.id === id);
      if (i >= 0) due.splice(i, 1);
    },
    advance(ms: number) {
      now += ms;
      for (;;) {
        const i = due.findIndex((d) => d.at <= now);
        if (i < 0) return;
        const [d] = due.splice(i, 1);
        d!.fn();
      }
    },
    pending: () => due.length,
  };
}

void test('one per interval per run: the first at once, the newest of the rest when the interval ends', () => {
  const timers = manualTimers();
  const out: string[] = [];
  const th = new StatsThrottle<string>({ intervalMs: 1000, emit: (v) => out.push(v), ...timers });
  th.offer('r1', 'r1#1', false);
  th.offer('r1', 'r1#2', false);
  th.offer('r1', 'r1#3', false);
  th.offer('r2', 'r2#1', false);
  assert.deepEqual(out, ['r1#1', 'r2#1']);
  timers.advance(1000);
  assert.deepEqual(out, ['r1#1', 'r2#1', 'r1#3'], 'r1#2 was superseded; r2 had nothing new');
  assert.equal(th.tracked, 1, 'r2 is forgotten once an interval passed quietly');
  timers.advance(1000);
  assert.equal(th.tracked, 0);
  assert.equal(timers.pending(), 0);
});

void test('a final snapshot goes at once and drops the one waiting', () => {
  const timers = manualTimers();
  const out: string[] = [];
  const th = new StatsThrottle<string>({ intervalMs: 1000, emit: (v) => out.push(v), ...timers });
  th.offer('r', 'one', false);
  th.offer('r', 'two', false);
  th.offer('r', 'final', true);
  assert.deepEqual(out, ['one', 'final']);
  assert.equal(th.tracked, 0);
  assert.equal(timers.pending(), 0);
  timers.advance(5000);
  assert.deepEqual(out, ['one', 'final'], 'nothing stale after the final');
});

void test('clear drops what waits', () => {
  const timers = manualTimers();
  const out: string[] = [];
  const th = new StatsThrottle<string>({ emit: (v) => out.push(v), ...timers });
  th.offer('r', 'a', false);
  th.offer('r', 'b', false);
  th.clear();
  timers.advance(5000);
  assert.deepEqual(out, ['a']);
});
