import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatListingTime, formatPyDatetime, formatPyTimedelta, formatSeconds } from './time-format.js';

// Node re-reads TZ whenever it is assigned, so each test pins the zone it expects.
function withTz(tz: string, fn: () => void): void {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

const T = Date.UTC(2024, 0, 2, 3, 4, 5, 594); // 2024-01-02 03:04:05.594 UTC

void test('formatPyDatetime: str(datetime), fraction only when non-zero', () => {
  withTz('UTC', () => {
    assert.equal(formatPyDatetime(T), '2024-01-02 03:04:05.594000');
    assert.equal(formatPyDatetime(Date.UTC(2024, 0, 2, 3, 4, 5)), '2024-01-02 03:04:05');
    assert.equal(formatPyDatetime(T, 123), '2024-01-02 03:04:05.594123');
    assert.equal(formatPyDatetime(Date.UTC(2024, 0, 2, 3, 4, 5, 1)), '2024-01-02 03:04:05.001000');
    assert.equal(formatPyDatetime(Date.UTC(2024, 0, 2, 3, 4, 5) + 0.25), '2024-01-02 03:04:05.000250');
    // Extra microseconds may carry into the next second.
    assert.equal(formatPyDatetime(Date.UTC(2024, 0, 2, 3, 4, 5, 999), 1000), '2024-01-02 03:04:06');
    assert.equal(formatPyDatetime(Date.UTC(999, 11, 31, 23, 59, 59)), '0999-12-31 23:59:59');
  });
});

void test('all formats use local time', () => {
  withTz('Asia/Kolkata', () => {
    assert.equal(formatPyDatetime(T), '2024-01-02 08:34:05.594000');
    assert.equal(formatSeconds(T), '2024-01-02 08:34:05');
    assert.equal(formatListingTime(T), '2024-01-02 08:34');
  });
  withTz('America/New_York', () => {
    assert.equal(formatPyDatetime(T), '2024-01-01 22:04:05.594000');
  });
});

void test('formatSeconds and formatListingTime truncate, never round up', () => {
  withTz('UTC', () => {
    assert.equal(formatSeconds(Date.UTC(2024, 11, 31, 23, 59, 59, 999)), '2024-12-31 23:59:59');
    assert.equal(formatListingTime(Date.UTC(2024, 11, 31, 23, 59, 59, 999)), '2024-12-31 23:59');
  });
});

void test('formatPyTimedelta: str(timedelta) truncated to seconds', () => {
  assert.equal(formatPyTimedelta(0), '0:00:00');
  assert.equal(formatPyTimedelta(999), '0:00:00');
  assert.equal(formatPyTimedelta(307_400), '0:05:07');
  assert.equal(formatPyTimedelta(86_399_999), '23:59:59');
  assert.equal(formatPyTimedelta(86_400_000), '1 day, 0:00:00');
  assert.equal(formatPyTimedelta((2 * 86_400 + 3723) * 1000 + 500), '2 days, 1:02:03');
  assert.equal(formatPyTimedelta(100 * 3600 * 1000), '4 days, 4:00:00');
  // Negative durations print as Python does (checked against CPython).
  assert.equal(formatPyTimedelta(-1000), '-1 day, 23:59:59');
  assert.equal(formatPyTimedelta(-90_000_000), '-2 days, 23:00:00');
});
