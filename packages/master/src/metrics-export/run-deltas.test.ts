import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunDeltas, ZERO, type Cumulative } from './run-deltas.js';

const v = (items: number, requests = items, responses = items, errors = 0): Cumulative => ({
  items,
  requests,
  responses,
  errors,
});

void test('a run seen starting: each report adds what grew since the last; the final one ends its tracking', () => {
  const d = new RunDeltas({ maxLive: 10, maxEnded: 10 });
  d.started('r1');
  assert.deepEqual(d.observe('r1', v(3, 5, 4, 1), false), v(3, 5, 4, 1));
  assert.deepEqual(d.observe('r1', v(3, 5, 4, 1), false), ZERO, 'nothing grew');
  assert.deepEqual(d.observe('r1', v(10, 12, 11, 1), false), v(7, 7, 7, 0));
  assert.deepEqual(d.observe('r1', v(12, 12, 12, 2), true), v(2, 0, 1, 1));
  assert.deepEqual(d.size, { live: 0, ended: 0 });
  // A report after the final one is a run it no longer knows: a baseline, nothing counted.
  assert.deepEqual(d.observe('r1', v(20), false), ZERO);
});

void test('a run it did not see start (a restart, an eviction) is counted from its first report on, never twice', () => {
  const d = new RunDeltas({ maxLive: 10, maxEnded: 10 });
  assert.deepEqual(d.observe('r1', v(100), false), ZERO, 'counted by whoever saw it before');
  assert.deepEqual(d.observe('r1', v(130), false), v(30));
  assert.deepEqual(d.observe('r1', v(131), true), v(1));
});

void test('a final report published after job.finished still counts its growth', () => {
  const d = new RunDeltas({ maxLive: 10, maxEnded: 10 });
  d.started('r1');
  d.observe('r1', v(2), false);
  d.ended('r1');
  assert.deepEqual(d.size, { live: 0, ended: 1 });
  assert.deepEqual(d.observe('r1', v(3), false), v(1), 'a late live report');
  assert.deepEqual(d.observe('r1', v(5), true), v(2));
  assert.deepEqual(d.size, { live: 0, ended: 0 });
});

void test('values that go backwards or are not counts add nothing, and the highest stays the baseline', () => {
  const d = new RunDeltas({ maxLive: 10, maxEnded: 10 });
  d.started('r1');
  d.observe('r1', v(10), false);
  assert.deepEqual(d.observe('r1', v(4), false), ZERO);
  assert.deepEqual(d.observe('r1', v(11), false), v(1), 'not 7: the earlier 10 stays the baseline');
  assert.deepEqual(d.observe('r1', { items: NaN, requests: -5, responses: Infinity, errors: 0 }, false), ZERO);
  assert.deepEqual(d.observe('r1', v(12), false), v(1));
});

void test('bounded: past maxLive the least recently updated run is dropped (and only re-baselined later)', () => {
  const d = new RunDeltas({ maxLive: 3, maxEnded: 2 });
  for (const r of ['a', 'b', 'c']) d.started(r);
  d.observe('a', v(1), false); // a is now the most recently updated
  d.started('d'); // evicts b
  assert.equal(d.size.live, 3);
  assert.deepEqual(d.observe('b', v(5), false), ZERO, 'b was evicted: its next report is a baseline');
  assert.deepEqual(d.observe('a', v(2), false), v(1), 'a was kept');
  for (let i = 0; i < 1000; i++) {
    d.started(`x${i}`);
    d.observe(`x${i}`, v(i), false);
    d.ended(`x${i}`);
  }
  assert.ok(d.size.live <= 3 && d.size.ended <= 2, JSON.stringify(d.size));
});

void test('a requeued run is forgotten; a lost run that resumes keeps counting from where it was', () => {
  const d = new RunDeltas({ maxLive: 10, maxEnded: 10 });
  d.started('r1');
  d.observe('r1', v(4), false);
  d.forget('r1');
  assert.deepEqual(d.size, { live: 0, ended: 0 });
  d.started('r2');
  d.observe('r2', v(4), false);
  d.ended('r2'); // finished as lost
  d.resumed('r2');
  assert.deepEqual(d.size, { live: 1, ended: 0 });
  assert.deepEqual(d.observe('r2', v(6), false), v(2));
});
