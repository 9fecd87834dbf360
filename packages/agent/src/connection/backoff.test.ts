import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from './backoff.js';

void test('backoff doubles up to the cap, with jitter in [cap/2, cap], and resets', () => {
  const b = new Backoff(100, 1000, () => 1);
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000]);
  b.reset();
  assert.equal(b.next(), 100);
  const low = new Backoff(100, 1000, () => 0);
  assert.deepEqual([low.next(), low.next()], [50, 100]);
});
