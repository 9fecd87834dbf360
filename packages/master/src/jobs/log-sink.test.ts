import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogSink } from './log-sink.js';

void test('chunks land at their offset: resends are skipped, overlaps trimmed, gaps refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sink-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sink = new LogSink();
  const path = join(dir, 'p', 's', 'j.log');
  assert.equal(sink.write(path, 0, Buffer.from('hello ')), 6);
  assert.equal(sink.write(path, 0, Buffer.from('hello ')), 6, 'a full resend changes nothing');
  assert.equal(sink.write(path, 3, Buffer.from('lo world')), 11, 'an overlapping resend appends only the new part');
  assert.equal(sink.write(path, 20, Buffer.from('gap')), 11, 'a chunk past the end is refused with the current size');
  sink.close(path);
  assert.equal(readFileSync(path, 'utf8'), 'hello world');
  assert.equal(sink.size(path), 11, 'size survives reopening');
  sink.closeAll();
});
