import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StartRateLimiter } from './start-rate.js';

void test('a start rate allows a burst of `count`, then one start per period/count', () => {
  const r = new StartRateLimiter();
  const rate = { count: 2, periodSeconds: 10 };
  assert.equal(r.allows('k', null, 0), true);
  for (let i = 0; i < 2; i++) {
    assert.equal(r.allows('k', rate, 0), true);
    r.take('k', rate, 0);
  }
  assert.equal(r.allows('k', rate, 0), false);
  assert.equal(r.nextAt('k', rate, 0), 5_000);
  assert.equal(r.allows('k', rate, 4_999), false);
  assert.equal(r.allows('k', rate, 5_000), true);
  r.take('k', rate, 5_000);
  assert.equal(r.nextAt('k', rate, 5_000), 10_000);
  // Other keys have buckets of their own; a changed rate starts full.
  assert.equal(r.allows('other', rate, 5_000), true);
  assert.equal(r.allows('k', { count: 3, periodSeconds: 10 }, 5_000), true);
  // Refills never exceed the burst.
  const slow = { count: 1, periodSeconds: 1 };
  r.take('s', slow, 0);
  assert.equal(r.allows('s', slow, 100_000), true);
  r.take('s', slow, 100_000);
  assert.equal(r.allows('s', slow, 100_000), false);
});
