import assert from 'node:assert/strict';
import { test } from 'node:test';

// A half-hour offset catches "UTC by mistake" bugs; set before any Date is formatted (this file runs in its own process).
process.env.TZ = 'Asia/Kolkata';
const { compareCodePoints, formatDuration, formatLocalMinutes, formatLocalSeconds, quoteUrl } =
  await import('./format.js');

void test('local date-times are truncated, never rounded', () => {
  const ms = Date.UTC(2024, 0, 2, 3, 4, 5, 999); // 08:34:05.999 in Kolkata
  assert.equal(formatLocalSeconds(ms), '2024-01-02 08:34:05');
  assert.equal(formatLocalMinutes(ms), '2024-01-02 08:34');
  assert.equal(formatLocalSeconds(Date.UTC(2023, 11, 31, 18, 29, 59, 999)), '2023-12-31 23:59:59');
});

void test('durations print like Python timedelta truncated to seconds', () => {
  assert.equal(formatDuration(0), '0:00:00');
  assert.equal(formatDuration(999), '0:00:00');
  assert.equal(formatDuration(61_500), '0:01:01');
  assert.equal(formatDuration(10 * 3600_000 + 5_000), '10:00:05');
  assert.equal(formatDuration(86_400_000), '1 day, 0:00:00');
  assert.equal(formatDuration(86_400_000 + 3_723_000), '1 day, 1:02:03');
  assert.equal(formatDuration(3 * 86_400_000 + 59_000), '3 days, 0:00:59');
  assert.equal(formatDuration(-5_000), '0:00:00', 'clock skew is clamped');
});

void test('quoteUrl behaves like urllib.parse.quote', () => {
  assert.equal(quoteUrl('/logs/p/s/a b.log'), '/logs/p/s/a%20b.log');
  assert.equal(quoteUrl("a!'()*~_.-z"), 'a%21%27%28%29%2A~_.-z');
  assert.equal(quoteUrl('é/x', ''), '%C3%A9%2Fx');
  assert.equal(quoteUrl('#?%&"'), '%23%3F%25%26%22');
});

void test('compareCodePoints sorts by code point, not UTF-16 unit', () => {
  const names = ['b', '\u{1F600}', '\uFF21', 'a', 'B', 'ab'];
  assert.deepEqual([...names].sort(compareCodePoints), ['B', 'a', 'ab', 'b', '\uFF21', '\u{1F600}']);
});
