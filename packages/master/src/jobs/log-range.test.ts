/** The log viewer's byte ranges: where a range starts and ends, and its edges moved to whole characters. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLogRange, resolveRange } from './log-range.js';

void test('a range: from an offset, from the end, or the last bytes, never past the file', () => {
  assert.deepEqual(resolveRange(1000, 100, 50), { start: 100, end: 150 });
  assert.deepEqual(resolveRange(1000, 990, 50), { start: 990, end: 1000 });
  assert.deepEqual(resolveRange(1000, 5000, 50), { start: 1000, end: 1000 });
  assert.deepEqual(resolveRange(1000, -64, 1024), { start: 936, end: 1000 });
  assert.deepEqual(resolveRange(1000, -5000, 100), { start: 0, end: 100 });
  assert.deepEqual(resolveRange(1000, undefined, 64), { start: 936, end: 1000 });
  assert.deepEqual(resolveRange(10, undefined, 64), { start: 0, end: 10 });
  assert.deepEqual(resolveRange(0, undefined, 64), { start: 0, end: 0 });
});

void test('ranges start and end on whole characters, so ranges that touch join exactly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'log-range-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'j.log');
  const text = 'ab€cd😀e\n'.repeat(50);
  writeFileSync(path, text);
  const size = Buffer.byteLength(text);
  // Walk the file backwards in 7-byte steps, as the viewer does from the end: every byte once, text exact.
  let joined = '';
  let end = size;
  while (end > 0) {
    const r = await readLogRange(path, Math.max(0, end - 7), Math.min(7, end));
    assert.equal(r.size, size);
    assert.equal(Buffer.byteLength(r.text), r.end - r.start);
    assert.ok(!r.text.includes('\ufffd'), `no broken character in ${JSON.stringify(r)}`);
    // The part a range left out at its end belongs to the range that follows (read again from there).
    const rest = r.end < end ? (await readLogRange(path, r.end, end - r.end)).text : '';
    joined = r.text + rest + joined;
    end = r.start;
  }
  assert.equal(joined, text);
  assert.deepEqual(await readLogRange(join(dir, 'none.log'), undefined, 64), { size: 0, start: 0, end: 0, text: '' });
});
