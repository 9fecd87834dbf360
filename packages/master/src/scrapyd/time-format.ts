// Timestamps and durations written the way Scrapyd's Python writes them (docs/scrapyd-api.md §2.6). Clients parse these with
// fixed formats (ScrapydWeb: `%Y-%m-%d %H:%M:%S`; Gerapy slices `start_time[:16]`), so the shapes are a contract.
//
// Scrapyd stores naive `datetime.now()` values, i.e. the daemon's LOCAL wall-clock time without a zone, so all
// of these use the process's local time zone (set TZ to change it). Every truncation floors, like Python's
// `dt - timedelta(microseconds=dt.microsecond)`, so a time never prints later than it was.

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function localStamp(epochSeconds: number, withSeconds: boolean): string {
  const d = new Date(epochSeconds * 1000);
  const minutes = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return withSeconds ? `${minutes}:${pad(d.getSeconds())}` : minutes;
}

/**
 * Python's `str(datetime)` of a local naive time: `YYYY-MM-DD HH:MM:SS.ffffff`, or `YYYY-MM-DD HH:MM:SS` when the
 * microseconds are exactly 0 (as Python prints them).
 *
 * @param epochMs milliseconds since the epoch; a fractional part is kept to the microsecond
 * @param microsExtra microseconds to add, for callers that keep finer precision than a millisecond
 * @example formatPyDatetime(Date.UTC(2024, 0, 2, 3, 4, 5, 594)) // '2024-01-02 03:04:05.594000' when TZ=UTC
 */
export function formatPyDatetime(epochMs: number, microsExtra = 0): string {
  const totalMicros = Math.round(epochMs * 1000) + Math.trunc(microsExtra);
  const seconds = Math.floor(totalMicros / 1_000_000);
  const micros = totalMicros - seconds * 1_000_000;
  const base = localStamp(seconds, true);
  return micros === 0 ? base : `${base}.${pad(micros, 6)}`;
}

/** `YYYY-MM-DD HH:MM:SS`, local: the /jobs page's Start and Finish columns. */
export function formatSeconds(epochMs: number): string {
  return localStamp(Math.floor(epochMs / 1000), true);
}

/** `YYYY-MM-DD HH:MM`, local: the "Last modified" column of /logs and /items directory listings. */
export function formatListingTime(epochMs: number): string {
  return localStamp(Math.floor(epochMs / 1000), false);
}

/**
 * Python's `str(timedelta)` truncated to whole seconds: `0:05:07`, `1 day, 2:03:04`, `3 days, 0:00:00`.
 * Hours are not zero-padded. A negative duration (clock stepped back) prints as Python does: `-1 day, 23:59:59`.
 */
export function formatPyTimedelta(ms: number): string {
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86_400);
  const rest = total - days * 86_400;
  const clock = `${Math.floor(rest / 3600)}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  if (days === 0) return clock;
  return `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${clock}`;
}
