import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostMetrics } from '@scrapyard/protocol';
import { appendSample, hostCharts, thin } from './host-series.js';

const sample = (at: number, over: Partial<HostMetrics> = {}): HostMetrics => ({
  at,
  cpuPercent: 25,
  cpus: 2,
  load1: 1,
  load5: 0.5,
  load15: 0.25,
  memUsedBytes: 1,
  memTotalBytes: 4,
  diskUsedBytes: 3,
  diskTotalBytes: 4,
  netRxBytesPerSec: 100,
  netTxBytesPerSec: 50,
  ...over,
});

void test('samples become one x axis in seconds and a chart per resource', () => {
  const c = hostCharts([sample(1_000), sample(2_000, { memTotalBytes: 0 })]);
  assert.deepEqual(c.x, [1, 2]);
  const by = Object.fromEntries(c.charts.map((ch) => [ch.id, ch.series.map((s) => s.values)]));
  assert.deepEqual(by.cpu, [[25, 25]]);
  assert.deepEqual(by.memory, [[25, null]], 'a zero total draws no point, not 0 %');
  assert.deepEqual(by.load, [
    [1, 1],
    [0.5, 0.5],
    [0.25, 0.25],
  ]);
  assert.deepEqual(by.disk, [[75, 75]]);
  assert.deepEqual(by.network, [
    [100, 100],
    [50, 50],
  ]);
});

void test('a long window is thinned, keeping the newest sample', () => {
  const many = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(thin(many, 4), [0, 3, 6, 9]);
  assert.deepEqual(thin(many, 20), many);
  assert.equal(
    hostCharts(
      many.map((i) => sample(i * 1000)),
      3,
    ).x.at(-1),
    9,
  );
});

void test('a live sample is appended and the samples that fell out of the window go', () => {
  const held = [sample(1_000), sample(2_000), sample(3_000)];
  assert.deepEqual(
    appendSample(held, sample(4_000), 2_500).map((m) => m.at),
    [2_000, 3_000, 4_000],
  );
  assert.deepEqual(
    appendSample(held, sample(4_000), 10_000).map((m) => m.at),
    [1_000, 2_000, 3_000, 4_000],
  );
  assert.deepEqual(
    appendSample(held, sample(9_000), 1_000).map((m) => m.at),
    [9_000],
    'all older than the window',
  );
  assert.equal(appendSample(held, sample(3_000), 10_000), held, 'held already');
  assert.equal(appendSample(held, sample(2_500), 10_000), held, 'older than the newest');
  assert.deepEqual(appendSample([], sample(5), 10).length, 1);
});
