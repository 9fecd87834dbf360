import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Schedule } from '@scrapyard/protocol';
import { emptyForm, formFromSchedule, jobPolicyText, parsePairs, requestFromForm } from './schedule-form.js';

const SCHEDULE: Schedule = {
  id: 's1',
  name: 'nightly',
  project: 'shop',
  spider: 'products',
  cron: '0 3 * * *',
  intervalSeconds: null,
  timezone: 'Europe/Berlin',
  version: null,
  args: { category: 'books', depth: '2' },
  settings: { DOWNLOAD_DELAY: '1' },
  tags: ['eu', 'big'],
  priority: 5,
  jitterSeconds: 30,
  startAt: Date.UTC(2026, 0, 1),
  endAt: null,
  enabled: false,
  overlap: 'queue',
  misfire: 'backfill',
  misfireGraceSeconds: 120,
  backfillWindowSeconds: 7200,
  backfillMax: 3,
  policy: null,
  createdAt: 1,
  updatedAt: 2,
  nextFireAt: null,
  lastFire: null,
};

void test('a schedule through the form comes back as the same request', () => {
  const r = requestFromForm(formFromSchedule(SCHEDULE));
  assert.ok(r.ok);
  const { id: _id, createdAt: _c, updatedAt: _u, nextFireAt: _n, lastFire: _l, ...fields } = SCHEDULE;
  assert.deepEqual(r.body, { ...fields, startAt: '2026-01-01T00:00:00.000Z' });
});

void test('an interval schedule sends no cron, and blanks become nulls', () => {
  const f = { ...emptyForm('UTC'), project: 'p', spider: 's', timing: 'interval' as const, intervalSeconds: '90' };
  const r = requestFromForm({ ...f, cron: 'left over from the cron tab' });
  assert.ok(r.ok);
  assert.equal(r.body.cron, null);
  assert.equal(r.body.intervalSeconds, 90);
  assert.equal(r.body.name, null);
  assert.equal(r.body.tags, null);
  assert.deepEqual(r.body.args, {});
});

void test('what the form can see is named per field', () => {
  const r = requestFromForm({
    ...emptyForm('UTC'),
    args: 'novalue',
    jitterSeconds: '-1',
    startAt: '2026-01-01 00:00',
  });
  assert.ok(!r.ok);
  assert.deepEqual(Object.keys(r.errors).sort(), ['args', 'cron', 'jitterSeconds', 'project', 'spider', 'startAt']);
  assert.equal(r.errors.args, 'line 1: write key=value');
});

void test('pairs keep an = inside the value and skip blank lines', () => {
  assert.deepEqual(parsePairs('a=b=c\n\n x = 1 '), { ok: true, value: { a: 'b=c', x: '1' } });
  assert.deepEqual(parsePairs('=v'), { ok: false, error: 'line 1: write key=value' });
});

void test("the run limits of the schedule's jobs: set ones sent, empty ones inherit, a typo named", () => {
  const withPolicy: Schedule = {
    ...SCHEDULE,
    policy: { maxRunSeconds: 600, retries: 2, retryOn: ['failed', 'lost'], uniqueArgs: [] },
  };
  const f = formFromSchedule(withPolicy);
  assert.deepEqual(
    [f.maxRunSeconds, f.retries, f.retryOn, f.uniqueArgs, f.stallSeconds],
    ['600', '2', 'failed, lost', '-', ''],
  );
  const r = requestFromForm({ ...f, stallSeconds: ' 120 ' });
  assert.ok(r.ok);
  assert.deepEqual(r.body.policy, {
    ...{ maxRunSeconds: 600, retries: 2, retryOn: ['failed', 'lost'], stallSeconds: 120 },
    uniqueArgs: [],
  });
  const none = requestFromForm({ ...f, maxRunSeconds: '', retries: '', retryOn: '', uniqueArgs: '' });
  assert.ok(none.ok);
  assert.equal(none.body.policy, null);
  assert.equal(
    jobPolicyText(withPolicy.policy),
    'Retries: 2; Retry on: failed, lost; Run time limit (s): 600; Unique key (arguments): -',
  );
  assert.equal(jobPolicyText(null), "its spider's and project's");
  const bad = requestFromForm({ ...f, killGraceSeconds: 'ten' });
  assert.ok(!bad.ok);
  assert.deepEqual(Object.keys(bad.errors), ['killGraceSeconds']);
});
