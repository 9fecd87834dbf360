import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, formatLocalTime, formatRelative, formatUtcTime } from './time.js';

const T = Date.UTC(2026, 11, 7, 13, 3, 9, 500);

void test('a time in a named zone and its UTC title', () => {
  assert.equal(formatLocalTime(T, 'UTC'), '2026-12-07 13:03:09');
  assert.equal(formatLocalTime(T, 'Europe/Paris'), '2026-12-07 14:03:09');
  assert.equal(formatLocalTime(T, 'America/New_York'), '2026-12-07 08:03:09');
  assert.equal(formatLocalTime(Date.UTC(2026, 0, 1, 0, 0, 0), 'UTC'), '2026-01-01 00:00:00', 'midnight is 00, not 24');
  assert.equal(formatUtcTime(T), '2026-12-07 13:03:09 UTC');
});

void test('each zone keeps its own formatter, however the calls interleave', () => {
  for (let i = 0; i < 2; i++) {
    assert.equal(formatLocalTime(T, 'Asia/Tokyo'), '2026-12-07 22:03:09');
    assert.equal(formatLocalTime(T, 'UTC'), '2026-12-07 13:03:09');
  }
});

void test('durations in at most two units, truncated', () => {
  assert.equal(formatDuration(350), '350 ms');
  assert.equal(formatDuration(59_900), '59 s');
  assert.equal(formatDuration(3_600_000 + 5 * 60_000 + 7_000), '1 h 5 min');
  assert.equal(formatDuration(3_600_000 + 7_000), '1 h', 'an empty unit between is dropped, not shown as 0');
  assert.equal(formatDuration(2 * 86_400_000 + 3_600_000, 3), '2 d 1 h');
  assert.equal(formatDuration(-1), '–');
  assert.equal(formatDuration(Number.NaN), '–');
});

void test('relative times say ago or in', () => {
  assert.equal(formatRelative(T - 2_000, T), 'just now');
  assert.equal(formatRelative(T - 3 * 3_600_000 - 59_000, T), '3 h ago');
  assert.equal(formatRelative(T + 5 * 60_000, T), 'in 5 min');
});
