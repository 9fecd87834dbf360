import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CatalogueError } from '@scrapyard/protocol';
import { describeTiming } from './cron-text.js';
import { FireTimes } from './fire-times.js';

/** The message a schedule with this expression is refused with. */
function refusal(cron: string): string {
  try {
    FireTimes.of({ cron, intervalSeconds: null, timezone: 'UTC', startAt: null, endAt: null, anchor: 0 });
  } catch (e) {
    assert.ok(e instanceof CatalogueError && e.code === 'BAD_REQUEST');
    return e.message;
  }
  assert.fail(`'${cron}' was accepted`);
}

const FIVE = 'minute hour day-of-month month day-of-week';
const SIX = `second ${FIVE}`;

void test('a cron error says how many fields were given and what each position means', () => {
  assert.equal(refusal('* * *'), `cron '* * *' is invalid: 3 fields given; expected 5 (${FIVE}) or 6 (${SIX})`);
  assert.equal(
    refusal('0 0 * * * * *'),
    `cron '0 0 * * * * *' is invalid: 7 fields given; expected 5 (${FIVE}) or 6 (${SIX})`,
  );
  assert.equal(
    refusal('0 25 * * *'),
    `cron '0 25 * * *' is invalid: hour (field 2 of 5) can't be '25'; the 5 fields are ${FIVE}`,
  );
  assert.equal(
    refusal('61 * * * *'),
    `cron '61 * * * *' is invalid: minute (field 1 of 5) can't be '61'; the 5 fields are ${FIVE}`,
  );
  assert.equal(
    refusal('x * * * *'),
    `cron 'x * * * *' is invalid: minute (field 1 of 5) can't be 'x'; the 5 fields are ${FIVE}`,
  );
  // A year as sixth field: read as day-of-week, and the message says why.
  assert.equal(
    refusal('0 0 12 * * 2026'),
    `cron '0 0 12 * * 2026' is invalid: day-of-week (field 6 of 6) can't be '2026'; the 6 fields are ${SIX} (a 6-field expression starts with seconds)`,
  );
  assert.equal(
    refusal('0 0 * * 13 *'),
    `cron '0 0 * * 13 *' is invalid: month (field 5 of 6) can't be '13'; the 6 fields are ${SIX} (a 6-field expression starts with seconds)`,
  );
});

void test('a preview describes the timing, so a 6-field expression visibly starts with seconds', () => {
  const cron = (c: string) => describeTiming({ cron: c, intervalSeconds: null });
  assert.equal(cron('*/30 * * * * *'), 'every 30 seconds');
  assert.equal(cron('* * * * * *'), 'every second');
  assert.equal(cron('*/5 * * * *'), 'every 5 minutes');
  assert.equal(cron('* * * * *'), 'every minute');
  assert.equal(cron('*/7 * * * *'), 'minute */7, hour *, day-of-month *, month *, day-of-week *');
  assert.equal(
    cron('0 30 2 * * 1'),
    'second 0, minute 30, hour 2, day-of-month *, month *, day-of-week 1 (6 fields: the first is seconds)',
  );
  assert.equal(describeTiming({ cron: null, intervalSeconds: 90 }), 'every 90 seconds');
});
