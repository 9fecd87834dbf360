/** "Today" in the viewer's zone: ordinary days, DST days of 23 and 25 hours, a day whose midnight is skipped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayBounds } from './day-bounds.js';

const at = (iso: string) => Date.parse(iso);

void test('the calendar day that holds now, in the zone given', () => {
  assert.deepEqual(dayBounds(at('2026-12-07T00:30:00Z'), 'UTC'), {
    start: at('2026-12-07T00:00:00Z'),
    end: at('2026-12-08T00:00:00Z'),
  });
  // 00:30 UTC is already 01:30 in Paris (winter, +01:00), but still yesterday in New York (-05:00).
  assert.deepEqual(dayBounds(at('2026-12-07T00:30:00Z'), 'Europe/Paris'), {
    start: at('2026-12-06T23:00:00Z'),
    end: at('2026-12-07T23:00:00Z'),
  });
  assert.deepEqual(dayBounds(at('2026-12-07T00:30:00Z'), 'America/New_York'), {
    start: at('2026-12-06T05:00:00Z'),
    end: at('2026-12-07T05:00:00Z'),
  });
  // Half-hour zones.
  assert.deepEqual(dayBounds(at('2026-12-07T12:00:00Z'), 'Asia/Kolkata').start, at('2026-12-06T18:30:00Z'));
});

void test('DST days last 23 or 25 hours; a skipped midnight starts the day at 01:00', () => {
  // Paris springs forward on 2026-03-29 (02:00 → 03:00) and falls back on 2026-10-25 (03:00 → 02:00).
  const spring = dayBounds(at('2026-03-29T12:00:00Z'), 'Europe/Paris');
  assert.deepEqual(spring, { start: at('2026-03-28T23:00:00Z'), end: at('2026-03-29T22:00:00Z') });
  const autumn = dayBounds(at('2026-10-25T12:00:00Z'), 'Europe/Paris');
  assert.equal(autumn.end - autumn.start, 25 * 3_600_000);
  // Santiago springs forward at midnight (2026-09-06 00:00 → 01:00, -04:00 → -03:00): the day starts at 01:00.
  const santiago = dayBounds(at('2026-09-06T12:00:00Z'), 'America/Santiago');
  assert.equal(santiago.start, at('2026-09-06T04:00:00Z'));
  assert.equal(santiago.end - santiago.start, 23 * 3_600_000);
});
