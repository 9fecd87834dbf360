/** Counts and sizes as short, readable text (pure). */

/** Made once: `toLocaleString` builds a formatter on every call, and live lists format every count per render. */
const COUNT = new Intl.NumberFormat('en-US');

/** `1,234,567` (grouped, en); non-finite: `–`. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? COUNT.format(Math.trunc(n)) : '–';
}

/** `12.3k`, `4.5M`: a count in three significant figures, for tight cells and charts. */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  for (const [suffix, size] of [
    ['G', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ] as const) {
    if (abs >= size) return `${trimmed(n / size)}${suffix}`;
  }
  return String(Math.round(n));
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 B`, `1.5 KiB`, `3.2 GiB`: binary units, three significant figures. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} B` : `${trimmed(value)} ${BYTE_UNITS[unit]}`;
}

/** `42 %` of a ratio in [0, 1]. */
export function formatPercent(ratio: number): string {
  return Number.isFinite(ratio) ? `${Math.round(ratio * 100)} %` : '–';
}

/** Three significant figures without trailing zeros: 1.50 → `1.5`, 123.4 → `123`. */
function trimmed(v: number): string {
  return String(Number(v.toPrecision(3)));
}
