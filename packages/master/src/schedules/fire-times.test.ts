import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CatalogueError } from '@scrapyard/protocol';
import { FireTimes, localTime } from './fire-times.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (list: number[]) => list.map((t) => new Date(t).toISOString());
const cron = (expr: string, timezone = 'UTC', extra: Partial<Parameters<typeof FireTimes.of>[0]> = {}) =>
  FireTimes.of({ cron: expr, intervalSeconds: null, timezone, startAt: null, endAt: null, anchor: 0, ...extra });

void test('a fixed local time runs right after the spring-forward gap, once per day', () => {
  // Europe/Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day.
  const f = cron('30 2 * * *', 'Europe/Berlin');
  const fires = f.upcoming(ms('2026-03-28T12:00:00Z'), 3);
  assert.deepEqual(iso(fires), ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
  assert.deepEqual(
    fires.map((t) => f.local(t)),
    ['2026-03-29T03:00:00+02:00', '2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00'],
  );
});

void test('a fixed local time that occurs twice when clocks go back runs once', () => {
  // Europe/Berlin, 2026-10-25: 03:00 CEST goes back to 02:00 CET, so 02:30 happens twice.
  const f = cron('30 2 * * *', 'Europe/Berlin');
  const fires = f.upcoming(ms('2026-10-24T12:00:00Z'), 2);
  assert.deepEqual(iso(fires), ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  assert.deepEqual(f.local(fires[0]!), '2026-10-25T02:30:00+02:00');
});

void test('a step expression runs on both occurrences of a repeated hour and skips the missing one', () => {
  const f = cron('*/30 * * * *', 'Europe/Berlin');
  const back = f.between(ms('2026-10-25T00:00:00Z'), ms('2026-10-25T02:00:00Z'), 100).times;
  assert.deepEqual(
    back.map((t) => f.local(t)),
    [
      '2026-10-25T02:30:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T02:30:00+01:00',
      '2026-10-25T03:00:00+01:00',
    ],
  );
  const forward = f.between(ms('2026-03-29T00:00:00Z'), ms('2026-03-29T01:30:00Z'), 100).times;
  assert.deepEqual(
    forward.map((t) => f.local(t)),
    ['2026-03-29T01:30:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-29T03:30:00+02:00'],
  );
});

void test('six fields count seconds; five fields start at minutes', () => {
  assert.deepEqual(iso(cron('*/20 * * * * *').upcoming(ms('2026-01-01T00:00:00Z'), 3)), [
    '2026-01-01T00:00:20.000Z',
    '2026-01-01T00:00:40.000Z',
    '2026-01-01T00:01:00.000Z',
  ]);
  assert.deepEqual(iso(cron('15 * * * *').upcoming(ms('2026-01-01T00:00:00Z'), 2)), [
    '2026-01-01T00:15:00.000Z',
    '2026-01-01T01:15:00.000Z',
  ]);
  // Strictly after: a fire exactly at `after` is the previous one.
  assert.equal(cron('*/5 * * * * *').next(ms('2026-01-01T00:00:05Z')), ms('2026-01-01T00:00:10Z'));
});

void test('start and end bound the fires; an interval counts from the start or the anchor', () => {
  const bounded = cron('0 * * * *', 'UTC', { startAt: ms('2026-01-01T03:00:00Z'), endAt: ms('2026-01-01T05:00:00Z') });
  assert.deepEqual(iso(bounded.upcoming(0, 10)), ['2026-01-01T03:00:00.000Z', '2026-01-01T04:00:00.000Z']);
  assert.equal(bounded.next(ms('2026-01-01T04:00:00Z')), null);
  const every = (extra: object) =>
    FireTimes.of({
      cron: null,
      intervalSeconds: 90,
      timezone: 'UTC',
      startAt: null,
      endAt: null,
      anchor: 1_000,
      ...extra,
    });
  assert.deepEqual(every({}).upcoming(1_000, 3), [91_000, 181_000, 271_000]);
  assert.deepEqual(every({}).upcoming(100_000, 1), [181_000]);
  assert.deepEqual(every({ startAt: 50_000 }).upcoming(0, 2), [50_000, 140_000]);
  const capped = every({}).between(1_000, 1_000_000, 3);
  assert.deepEqual(capped, { times: [91_000, 181_000, 271_000], more: true });
});

void test('an expression that never matches has no fires; invalid ones are 400s that say why', () => {
  assert.equal(cron('0 0 31 2 *').next(0), null);
  for (const [expr, why] of [
    ['61 * * * *', /minute/],
    ['* * * *', /4 fields given; expected 5 \(minute .*\) or 6 \(second /],
    ['* * * * * * *', /7 fields given; expected 5 /],
    ['bogus', /invalid/],
  ] as const) {
    assert.throws(
      () => cron(expr),
      (e: unknown) =>
        e instanceof CatalogueError && e.code === 'BAD_REQUEST' && why.test(e.message) && e.message.includes(expr),
    );
  }
});

void test('local times carry the zone offset', () => {
  assert.equal(localTime(ms('2026-07-01T12:00:00Z'), 'America/New_York'), '2026-07-01T08:00:00-04:00');
  assert.equal(localTime(ms('2026-07-01T12:00:00Z'), 'UTC'), '2026-07-01T12:00:00+00:00');
  assert.equal(localTime(ms('2026-07-01T12:00:00Z'), 'Asia/Kolkata'), '2026-07-01T17:30:00+05:30');
});
