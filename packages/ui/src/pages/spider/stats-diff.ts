/**
 * Two runs' Scrapy stats side by side (pure): every key of either, what each run has, and for numbers the change
 * from the first run to the second. Keys present in one run only are marked so the page can show them apart.
 */

export type StatValue = number | string | boolean | null;

export interface StatsDiffRow {
  key: string;
  a: StatValue | undefined;
  b: StatValue | undefined;
  /** b − a when both are numbers, else null. */
  delta: number | null;
  /** `a`/`b`: only that run has the key; `both`: each has it. */
  presence: 'a' | 'b' | 'both';
  /** The values differ (a key in one run only always does). */
  changed: boolean;
}

export function diffStats(
  a: Readonly<Record<string, StatValue>>,
  b: Readonly<Record<string, StatValue>>,
): StatsDiffRow[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.map((key) => {
    const inA = Object.hasOwn(a, key);
    const inB = Object.hasOwn(b, key);
    const va = inA ? a[key] : undefined;
    const vb = inB ? b[key] : undefined;
    const delta = typeof va === 'number' && typeof vb === 'number' ? vb - va : null;
    const presence = inA && inB ? 'both' : inA ? 'a' : 'b';
    return { key, a: va, b: vb, delta, presence, changed: presence !== 'both' || va !== vb };
  });
}

/** `+12`, `−3`, `0`; a relative change alongside when the first value is not 0: `+12 (+50 %)`. */
export function formatDelta(row: Pick<StatsDiffRow, 'a' | 'delta'>): string {
  if (row.delta === null) return '';
  const d = row.delta;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '';
  const abs = Math.abs(d);
  const num = `${sign}${Number.isInteger(abs) ? abs : Number(abs.toPrecision(4))}`;
  if (typeof row.a !== 'number' || row.a === 0 || d === 0) return num;
  const pct = Math.round((d / Math.abs(row.a)) * 100);
  return `${num} (${pct > 0 ? '+' : pct < 0 ? '−' : ''}${Math.abs(pct)} %)`;
}
