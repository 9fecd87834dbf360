/** The value parsers and formatters every command shares: numbers, durations, lists, switches, tables. */
import { UsageError } from './errors.js';

/** A number flag's value (`--port abc`: "--port: not a number"). */
export function numberValue(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: not a number ('${raw}')`);
  return n;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** Seconds from `90`, `90s`, `5m`, `2h` or `1d` (the one duration syntax of every command). */
export function durationValue(flag: string, raw: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!m) throw new UsageError(`--${flag}: not a duration like 90, 90s, 5m, 2h or 1d ('${raw}')`);
  return Number(m[1]) * UNITS[m[2] || 's']!;
}

/** An ISO timestamp, or '-' for none. */
export const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** The entries that are not undefined (absent flags are left out of a body, so `update` changes only the rest). */
export function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
}

/** A switch with an opposite (`--items` / `--no-items`): true, false, or undefined when neither is given. */
export function either(yes: boolean, no: boolean, flags: [string, string]): boolean | undefined {
  if (yes && no) throw new UsageError(`--${flags[0]} and --${flags[1]} contradict each other`);
  return yes ? true : no ? false : undefined;
}

/** A repeatable flag's values, each also split on commas (`--event a --event b,c`); undefined when absent. */
export function commaList(values: readonly string[] | undefined): string[] | undefined {
  return values
    ?.flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** `KEY=VALUE` items as an object. */
export function pairs(flag: string, list: readonly string[] | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} takes KEY=VALUE, not '${item}'`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Rows as aligned columns, the first row the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
