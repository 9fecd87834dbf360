/**
 * "Today" in a time zone: [start, end) in epoch ms of the calendar day that holds `now` there. Found by bisecting
 * on the zone's calendar date (Intl), so days of 23 or 25 hours and days whose midnight a DST change skips (the day
 * then starts at 01:00) come out right without a zone table of our own.
 */
const SEARCH_MS = 50 * 3_600_000;

function dateKeyIn(timeZone: string): (t: number) => number {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
  return (t) => {
    const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
    return Number(p.year) * 10_000 + Number(p.month) * 100 + Number(p.day);
  };
}

/** The first instant in (lo, hi] where `holds` (false, then true from some instant on). */
function firstWhere(holds: (t: number) => boolean, lo: number, hi: number): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function dayBounds(now: number, timeZone: string): { start: number; end: number } {
  const keyOf = dateKeyIn(timeZone);
  const today = keyOf(now);
  return {
    start: firstWhere((t) => keyOf(t) >= today, now - SEARCH_MS, now),
    end: firstWhere((t) => keyOf(t) > today, now, now + SEARCH_MS),
  };
}
