import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveRing } from './ring.js';

const seqs = (r: ReturnType<LiveRing<string>['since']>) => (r.ok ? r.entries.map((e) => e.seq) : r.reason);

void test('an id within the ring gets every later entry, none twice; the head gets none', () => {
  const ring = new LiveRing<string>({ epoch: 'e1' });
  for (const v of ['a', 'b', 'c', 'd']) ring.append(v);
  assert.equal(ring.head, 4);
  assert.deepEqual(seqs(ring.since('e1-1')), [2, 3, 4]);
  assert.deepEqual(seqs(ring.since('e1-0')), [1, 2, 3, 4]);
  assert.deepEqual(seqs(ring.since('e1-4')), []);
  assert.equal(ring.idOf(3), 'e1-3');
});

void test('ids that cannot be resumed: another epoch, ahead of the head, malformed', () => {
  const ring = new LiveRing<string>({ epoch: 'e1' });
  ring.append('a');
  assert.equal(seqs(ring.since('e2-1')), 'restarted');
  assert.equal(seqs(ring.since('e1-2')), 'unknown');
  for (const bad of ['', 'e1', 'e1-', '-1', 'e1-x', 'E1-1', 'e1-1-1']) {
    assert.equal(seqs(ring.since(bad)), 'unknown', bad);
  }
});

void test('past its count the oldest go: an id whose next entry went is too old', () => {
  const ring = new LiveRing<string>({ epoch: 'e', maxEntries: 3 });
  for (let i = 0; i < 5; i++) ring.append(String(i));
  assert.equal(ring.size, 3);
  assert.deepEqual(seqs(ring.since('e-2')), [3, 4, 5]);
  assert.equal(seqs(ring.since('e-1')), 'too-old');
  assert.equal(seqs(ring.since('e-0')), 'too-old');
});

void test('past their age entries go, also without new ones; the head itself stays resumable', () => {
  let now = 1_000;
  const ring = new LiveRing<string>({ epoch: 'e', maxAgeMs: 100, now: () => now });
  ring.append('a');
  now += 50;
  ring.append('b');
  now += 60; // a is 110 ms old, b 60 ms
  assert.deepEqual(seqs(ring.since('e-1')), [2]);
  assert.equal(seqs(ring.since('e-0')), 'too-old');
  now += 100;
  assert.equal(seqs(ring.since('e-1')), 'too-old');
  assert.deepEqual(seqs(ring.since('e-2')), [], 'nothing was missed after the head');
  assert.equal(ring.size, 0);
});

void test('each ring has its own random epoch', () => {
  const a = new LiveRing<string>();
  const b = new LiveRing<string>();
  assert.match(a.epoch, /^[0-9a-z]{1,16}$/);
  assert.notEqual(a.epoch, b.epoch);
});
