import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatCompact, formatCount, formatPercent } from './numbers.js';

void test('counts grouped and compact', () => {
  assert.equal(formatCount(1_234_567), '1,234,567');
  assert.equal(formatCount(Number.POSITIVE_INFINITY), '–');
  assert.equal(formatCompact(999), '999');
  assert.equal(formatCompact(12_345), '12.3k');
  assert.equal(formatCompact(4_500_000), '4.5M');
  assert.equal(formatCompact(-2_000), '-2k');
});

void test('bytes in binary units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(1024 ** 3 * 3.2), '3.2 GiB');
  assert.equal(formatBytes(-1), '–');
});

void test('percent of a ratio', () => {
  assert.equal(formatPercent(0.424), '42 %');
  assert.equal(formatPercent(Number.NaN), '–');
});
