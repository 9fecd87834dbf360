import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_WINDOW, MAX_SAMPLES, metricsQuery, parseWindow } from './metrics-window.js';

void test('the window comes from the query, else the default', () => {
  assert.equal(parseWindow('?window=6h'), '6h');
  assert.equal(parseWindow('?window=7y'), DEFAULT_WINDOW);
  assert.equal(parseWindow(''), DEFAULT_WINDOW);
});

void test('a window asks for the samples since its start, as many as the API gives', () => {
  const q = new URLSearchParams(metricsQuery('15m', 10_000_000));
  assert.equal(q.get('since'), String(10_000_000 - 900_000));
  assert.equal(q.get('limit'), String(MAX_SAMPLES));
  assert.equal(new URLSearchParams(metricsQuery('24h', 5)).get('since'), '0');
});
