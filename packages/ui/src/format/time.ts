/**
 * Times as people read them: in the browser's zone (or one named), with the UTC instant for a `title`; and how
 * long ago, for lists. Pure: the zone and "now" are arguments, so tests pin them.
 */

/**
 * One formatter per zone, made once: building an Intl.DateTimeFormat costs far more than formatting with it, and
 * live lists format every row's times on each render.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(zone: string | undefined): Intl.DateTimeFormat {
  const made = formatters.get(zone ?? '');
  if (made) return made;
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  formatters.set(zone ?? '', f);
  return f;
}

/** `2026-12-07 14:03:09` in `zone` (default: the browser's). */
export function formatLocalTime(ms: number, zone?: string): string {
  const parts = formatterOf(zone).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

/** `2026-12-07 13:03:09 UTC`: what a time's `title` shows on hover. */
export function formatUtcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `in 5 min`, `3 h ago`, `just now`: the distance from `now`, in the largest whole unit. */
export function formatRelative(ms: number, now: number): string {
  const delta = ms - now;
  const abs = Math.abs(delta);
  if (abs < 5_000) return 'just now';
  const text = formatDuration(abs, 1);
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1_000],
];

/**
 * `1 h 5 min`, `42 s`, `350 ms`: a duration in at most `parts` units, largest first, truncated (a crawl that ran
 * 59.9 s says `59 s`, never `1 min`).
 */
export function formatDuration(ms: number, parts = 2): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1_000) return `${Math.floor(ms)} ms`;
  const out: string[] = [];
  let rest = ms;
  let taken = 0;
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) out.push(`${n} ${unit}`);
    // Units count from the largest one shown: `1 h 7 s` would hide that minutes were skipped.
    if (out.length > 0 && ++taken === parts) break;
  }
  return out.join(' ');
}

/** The browser's zone (`Europe/Paris`), for what the API asks in a zone (days, schedules). */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
