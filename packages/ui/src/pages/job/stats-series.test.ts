import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendPoint, perMinute, responsesByStatus } from './stats-series.js';

const p = (at: number, items: number, requests: number) => ({ at, items, requests, responses: requests, errors: 0 });

void test('per-minute rates between samples', () => {
  const r = perMinute([p(0, 0, 0), p(30_000, 10, 20), p(90_000, 40, 20)]);
  assert.deepEqual(r.x, [30, 90]);
  assert.deepEqual(r.items, [20, 30]);
  assert.deepEqual(r.requests, [40, 0]);
  assert.deepEqual(perMinute([p(0, 1, 1)]), { x: [], items: [], requests: [] });
});

void test('a counter that restarts (a new attempt) counts from zero, same-time samples are skipped', () => {
  const r = perMinute([p(0, 100, 100), p(0, 100, 100), p(60_000, 5, 7)]);
  assert.deepEqual(r.items, [5]);
  assert.deepEqual(r.requests, [7]);
});

void test('live samples append in time order, bounded', () => {
  const s = [p(1, 0, 0)];
  assert.equal(appendPoint(s, p(1, 2, 2)), s, 'not newer: dropped');
  assert.deepEqual(
    appendPoint(appendPoint(s, p(2, 1, 1), 2), p(3, 2, 2), 2).map((x) => x.at),
    [2, 3],
  );
});

void test('responses by status from the Scrapy stats keys', () => {
  assert.deepEqual(
    responsesByStatus({
      'downloader/response_status_count/404': 3,
      'downloader/response_status_count/200': 140,
      'downloader/response_count': 143,
      item_scraped_count: 10,
    }),
    [
      ['200', 140],
      ['404', 3],
    ],
  );
  assert.deepEqual(responsesByStatus(null), []);
});
