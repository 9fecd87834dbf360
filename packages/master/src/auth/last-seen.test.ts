import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LastSeen } from './last-seen.js';

void test('uses are coalesced: one write per distinct time per flush, never one per request', async () => {
  const writes: [string[], number][] = [];
  const seen = new LastSeen({
    flushMs: 1_000,
    onError: (e) => assert.fail(String(e)),
    write: async (ids, at) => void writes.push([[...ids], at]),
  });
  for (let i = 1; i <= 100; i++) seen.seen('a', i);
  seen.seen('b', 100);
  seen.seen('c', 7);
  seen.seen('c', 5);
  assert.equal(seen.latest('a'), 100);
  assert.equal(seen.latest('c'), 7, 'never moves back');
  assert.deepEqual(writes, [], 'nothing written before the flush');
  await seen.flush();
  assert.deepEqual(writes, [
    [['a', 'b'], 100],
    [['c'], 7],
  ]);
  assert.equal(seen.latest('a'), undefined, 'written: the store answers now');
  await seen.flush();
  assert.equal(writes.length, 2, 'nothing new, nothing written');
});

void test('a failed write is kept for the next flush; a forgotten session is not written', async () => {
  let fail = true;
  const writes: string[] = [];
  const errors: unknown[] = [];
  const seen = new LastSeen({
    flushMs: 1_000,
    onError: (e) => errors.push(e),
    write: async (ids) => {
      if (fail) throw new Error('store down');
      writes.push(...ids);
    },
  });
  seen.seen('a', 1);
  seen.seen('gone', 1);
  await seen.flush();
  assert.equal(errors.length, 1);
  assert.equal(seen.latest('a'), 1);
  fail = false;
  seen.forget('gone');
  await seen.stop();
  assert.deepEqual(writes, ['a']);
});
