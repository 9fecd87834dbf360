/**
 * The common heartbeat checked in place. A master with 10,000 agents receives 2,000 a second, and zod's parse of
 * one allocates ~3 KB (a result object per field and a copy of each object): enough garbage to promote part of
 * every heartbeat and grow the master's heap by tens of MB between full collections (bench agents10k).
 *
 * This check vouches only for a payload the Heartbeat schema would accept and return unchanged: every key known,
 * no key to strip or default to fill, every number within the schema's bounds. Anything else (job samples, an
 * unknown key, a bound crossed) goes through the schema as before, so zod still decides what is refused and why.
 * heartbeat-as-is.test.ts holds the two to that.
 */

/** Whole, non-negative, exact (zod's `int()`: a safe integer). */
const count = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** Finite and non-negative (zod's numbers refuse NaN and the infinities). */
const amount = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Own enumerable keys, counted without allocating an array. */
function keyCount(o: object): number {
  let n = 0;
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) n++;
  return n;
}

const HOST_KEYS = 12;

function hostAsIs(h: unknown): boolean {
  if (!isRecord(h) || keyCount(h) !== HOST_KEYS) return false;
  return (
    count(h.at) &&
    amount(h.cpuPercent) &&
    (h.cpuPercent as number) <= 100 &&
    count(h.cpus) &&
    (h.cpus as number) > 0 &&
    amount(h.load1) &&
    amount(h.load5) &&
    amount(h.load15) &&
    amount(h.memUsedBytes) &&
    amount(h.memTotalBytes) &&
    amount(h.diskUsedBytes) &&
    amount(h.diskTotalBytes) &&
    amount(h.netRxBytesPerSec) &&
    amount(h.netTxBytesPerSec)
  );
}

/** True when `p` is a heartbeat without job samples that the schema would return as it is. */
export function heartbeatAsIs(p: unknown): boolean {
  if (!isRecord(p) || !count(p.running) || !count(p.at)) return false;
  const keys = keyCount(p);
  if (!('host' in p)) return keys === 2;
  return keys === 3 && hostAsIs(p.host);
}
