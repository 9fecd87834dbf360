/**
 * Scrapyd's default job id is `uuid.uuid1().hex`: 32 hex chars of a time-based UUID (version nibble `1`).
 * Clients only rely on the shape, but time-ordered ids also sort by creation. Node id and clock sequence are
 * random per process (RFC 4122 §4.5), never the MAC address.
 */
import { randomBytes } from 'node:crypto';

const GREGORIAN_OFFSET_MS = 12_219_292_800_000n;
const node = randomBytes(6);
node[0]! |= 0x01; // multicast bit: marks a random node id
const clockSeq = randomBytes(2).readUInt16BE(0) & 0x3fff;
let lastTicks = 0n;

export function uuid1Hex(nowMs: number = Date.now()): string {
  let ticks = (BigInt(nowMs) + GREGORIAN_OFFSET_MS) * 10_000n;
  if (ticks <= lastTicks) ticks = lastTicks + 1n; // several ids in one millisecond stay unique and ordered
  lastTicks = ticks;
  const timeLow = ticks & 0xffffffffn;
  const timeMid = (ticks >> 32n) & 0xffffn;
  const timeHi = ((ticks >> 48n) & 0x0fffn) | 0x1000n;
  const seq = (clockSeq & 0x3fff) | 0x8000;
  return (
    timeLow.toString(16).padStart(8, '0') +
    timeMid.toString(16).padStart(4, '0') +
    timeHi.toString(16).padStart(4, '0') +
    seq.toString(16).padStart(4, '0') +
    node.toString('hex')
  );
}
