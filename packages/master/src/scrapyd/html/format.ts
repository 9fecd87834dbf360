/**
 * Time and URL formatting for the HTML pages (docs/scrapyd-api.md §2.6, §4): local naive time like Python's
 * `datetime.fromtimestamp`, `timedelta` text, and Python's `urllib.parse.quote`.
 */

import { formatListingTime, formatPyTimedelta, formatSeconds } from '../time-format.js';
export { compareCodePoints } from '../pep440.js';

/** `YYYY-MM-DD HH:MM:SS` in local time, truncated to the second (the /jobs Start/Finish cells). */
export const formatLocalSeconds = formatSeconds;

/** `YYYY-MM-DD HH:MM` in local time (directory listings' "Last modified"). */
export const formatLocalMinutes = formatListingTime;

/**
 * Python `str(timedelta)` truncated to whole seconds. Negative spans (clock skew between hosts) are shown as
 * `0:00:00` rather than Python's `-1 day, 23:59:59`: a runtime is never negative.
 */
export function formatDuration(ms: number): string {
  return formatPyTimedelta(Math.max(0, ms));
}

/**
 * Python's `urllib.parse.quote(s, safe)`: UTF-8 percent-encoding of everything except ASCII letters,
 * digits, `_.-~` and the characters in `safe` (default `/`). Uppercase hex.
 */
export function quoteUrl(s: string, safe = '/'): string {
  let out = '';
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(c) || (byte < 0x80 && safe.includes(c))) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
