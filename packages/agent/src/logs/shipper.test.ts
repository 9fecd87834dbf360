import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LogChunk } from '@scrapyard/protocol';
import { LogShipper, type ShipTarget } from './shipper.js';

const runId = 'a'.repeat(32);

function setup(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'shipper-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'job.log');
  const sent: LogChunk[] = [];
  let accept = true;
  const targets: ShipTarget[] = [{ runId, stream: 'log', path }];
  const shipper = new LogShipper({ send: (c) => (accept ? (sent.push(c), true) : false), targets: () => targets });
  const text = () => sent.map((c) => Buffer.from(c.data, 'base64').toString()).join('');
  return { path, sent, shipper, text, setAccept: (v: boolean) => (accept = v), targets };
}

void test('ships only new bytes, each chunk tagged with its offset', async (t) => {
  const s = setup(t);
  writeFileSync(s.path, 'line 1\n');
  await s.shipper.pump();
  appendFileSync(s.path, 'line 2\n');
  await s.shipper.pump();
  await s.shipper.pump();
  assert.deepEqual(
    s.sent.map((c) => c.offset),
    [0, 7],
  );
  assert.equal(s.text(), 'line 1\nline 2\n');
});

void test('resumes from the offsets the master reports, so a reconnect neither repeats nor skips', async (t) => {
  const s = setup(t);
  writeFileSync(s.path, 'abcdefghij');
  s.shipper.resume([{ runId, stream: 'log', offset: 4 }]);
  await s.shipper.pump();
  assert.equal(s.text(), 'efghij');
  s.shipper.rewind(runId, 'log', 8);
  appendFileSync(s.path, 'K');
  await s.shipper.pump();
  assert.deepEqual(
    s.sent.map((c) => c.offset),
    [4, 8],
  );
  assert.equal(Buffer.from(s.sent[1]!.data, 'base64').toString(), 'ijK');
});

void test('a backed-up socket pauses shipping without losing its place', async (t) => {
  const s = setup(t);
  writeFileSync(s.path, 'first');
  s.setAccept(false);
  await s.shipper.pump();
  assert.equal(s.sent.length, 0);
  s.setAccept(true);
  await s.shipper.pump();
  assert.equal(s.text(), 'first');
});

void test('files that are missing or vanish are skipped, not errors', async (t) => {
  const s = setup(t);
  s.targets.push({ runId: 'b'.repeat(32), stream: 'items', path: join(s.path, '..', 'gone.jl') });
  writeFileSync(s.path, 'x');
  await s.shipper.pump();
  assert.equal(s.text(), 'x');
});
