import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_EXCEPTIONS, type JobStatsPoint } from '@scrapyard/protocol';
import { appendPoint, summarize, toScrapydStats } from './stats-summary.js';

void test('summary: Scrapy counters, responses by status class, log counts, finish reason', () => {
  const s = summarize(
    {
      item_scraped_count: 12,
      'downloader/request_count': 20,
      'downloader/response_count': 19,
      'downloader/response_status_count/200': 15,
      'downloader/response_status_count/301': 1,
      'downloader/response_status_count/404': 2,
      'downloader/response_status_count/503': 1,
      'log_count/INFO': 9,
      'log_count/ERROR': 2,
      'log_count/CRITICAL': 1,
      finish_reason: 'finished',
      // What crawl code may put in its stats must not break the summary.
      'downloader/response_status_count/999': 5,
      'log_count/WARNING': 'many',
      start_time: 1_700_000_000_000,
    },
    { ...EMPTY_EXCEPTIONS, total: 3 },
    5_000,
    true,
  );
  assert.deepEqual(s, {
    at: 5_000,
    final: true,
    items: 12,
    requests: 20,
    responses: { total: 19, '1xx': 0, '2xx': 15, '3xx': 1, '4xx': 2, '5xx': 1 },
    errors: 3,
    logCounts: { DEBUG: 0, INFO: 9, WARNING: 0, ERROR: 2, CRITICAL: 1 },
    exceptions: 3,
    finishReason: 'finished',
  });
  assert.deepEqual(toScrapydStats(s), {
    items: 12,
    requests: 20,
    responses: s.responses,
    errors: 3,
    log_count: s.logCounts,
    finish_reason: 'finished',
  });
  const empty = summarize({}, EMPTY_EXCEPTIONS, 1, false);
  assert.equal(empty.items, 0);
  assert.equal(empty.finishReason, null);
});

void test('series: bounded, covers the whole run, newest points at full resolution', () => {
  const point = (at: number): JobStatsPoint => ({ at, items: at, requests: at, responses: at, errors: 0 });
  let series: JobStatsPoint[] = [];
  for (let at = 1; at <= 1_000; at++) series = appendPoint(series, point(at), 50);
  assert.ok(series.length <= 50);
  assert.equal(series[0]!.at, 1, 'the first point is kept');
  assert.equal(series.at(-1)!.at, 1_000);
  for (let i = 1; i < series.length; i++) assert.ok(series[i]!.at > series[i - 1]!.at, 'strictly increasing');
  // The newest 10 points are consecutive reports.
  assert.deepEqual(
    series.slice(-10).map((p) => p.at),
    Array.from({ length: 10 }, (_, i) => 991 + i),
  );
  // A replayed or final point at or before the last one replaces it.
  const replaced = appendPoint(series, { ...point(1_000), items: 5 }, 50);
  assert.equal(replaced.length, series.length);
  assert.equal(replaced.at(-1)!.items, 5);
});
