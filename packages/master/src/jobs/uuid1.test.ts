import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uuid1Hex } from './uuid1.js';

const GREGORIAN_OFFSET_MS = 12_219_292_800_000n;

/** The 60-bit timestamp of a uuid1 (100 ns ticks since 1582-10-15): time_hi (minus version) | time_mid | time_low. */
function ticksOf(id: string): bigint {
  const low = BigInt(`0x${id.slice(0, 8)}`);
  const mid = BigInt(`0x${id.slice(8, 12)}`);
  const hi = BigInt(`0x${id.slice(12, 16)}`) & 0x0fffn;
  return (hi << 48n) | (mid << 32n) | low;
}
const ticksAt = (ms: number) => (BigInt(ms) + GREGORIAN_OFFSET_MS) * 10_000n;

function assertShape(id: string): void {
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(id[12], '1', 'version 1');
  assert.ok('89ab'.includes(id[16]!), 'RFC 4122 variant');
}

function assertStrictlyIncreasing(ids: string[], what: string): void {
  for (let i = 1; i < ids.length; i++) {
    assert.ok(ticksOf(ids[i]!) > ticksOf(ids[i - 1]!), `${what}: id ${i} is not after id ${i - 1}`);
  }
}

void test('uuid1 ids: 32 hex, version 1, RFC variant, unique and ordered within one millisecond', () => {
  const ms = 1_700_000_000_000;
  const ids = Array.from({ length: 1000 }, () => uuid1Hex(ms));
  for (const id of ids) assertShape(id);
  assert.equal(ticksOf(ids[0]!), ticksAt(ms), 'the first id of a millisecond carries that time');
  assertStrictlyIncreasing(ids, 'same millisecond');
  // 1000 ids fit in one millisecond (10 000 ticks): they all still carry it.
  assert.ok(ticksOf(ids.at(-1)!) < ticksAt(ms + 1));
  assert.equal(new Set(ids).size, ids.length);
  // Clock and node sequence are fixed per process: only the time fields differ.
  assert.equal(new Set(ids.map((id) => id.slice(16))).size, 1);
});

void test('uuid1 ids stay ordered when the clock goes backwards, and follow it again once it is ahead', () => {
  const ms = 1_800_000_000_000;
  const before = Array.from({ length: 10 }, () => uuid1Hex(ms));
  const back = Array.from({ length: 10 }, () => uuid1Hex(ms - 60_000));
  const ids = [...before, ...back];
  for (const id of ids) assertShape(id);
  assertStrictlyIncreasing(ids, 'clock set back a minute');
  const ahead = uuid1Hex(ms + 5);
  assert.equal(ticksOf(ahead), ticksAt(ms + 5), 'a clock ahead of the last id is used as is');
});
