import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRetryAfter, retryDelayMs } from './backoff.js';

void test('retry delays double from a second up to an hour, with bounded jitter', () => {
  const mid = () => 0.5;
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => retryDelayMs(n, null, mid)),
    [1000, 2000, 4000, 8000],
  );
  assert.equal(retryDelayMs(40, null, mid), 3_600_000);
  assert.equal(
    retryDelayMs(1, null, () => 0),
    800,
  );
  assert.equal(
    retryDelayMs(1, null, () => 0.999999),
    1200,
  );
  assert.equal(retryDelayMs(1, 30_000, mid), 30_000, 'Retry-After wins when longer');
  assert.equal(retryDelayMs(1, 99_999_999, mid), 3_600_000, 'but never past the cap');
});

void test('Retry-After is read as seconds or a date', () => {
  assert.equal(parseRetryAfter('7', 0), 7000);
  assert.equal(parseRetryAfter(new Date(60_000).toUTCString(), 0), 60_000);
  assert.equal(parseRetryAfter('soon', 0), null);
  assert.equal(parseRetryAfter(undefined, 0), null);
});
