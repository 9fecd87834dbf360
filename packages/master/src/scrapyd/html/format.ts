/**
 * Time and URL formatting for the HTML pages (spec §2.6, §4): local naive time like Python's
 * `datetime.fromtimestamp`, `timedelta` text, and Python's `urllib.parse.quote`.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function localParts(ms: number) {
  const d = new Date(ms);
  return {
    date: `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    hh: pad(d.getHours()),
    mm: pad(d.getMinutes()),
    ss: pad(d.getSeconds()),
  };
}

/** `YYYY-MM-DD HH:MM:SS` in local time, truncated to the second (the /jobs Start/Finish cells). */
export function formatLocalSeconds(ms: number): string {
  const p = localParts(Math.floor(ms / 1000) * 1000);
  return `${p.date} ${p.hh}:${p.mm}:${p.ss}`;
}

/** `YYYY-MM-DD HH:MM` in local time (directory listings' "Last modified"). */
export function formatLocalMinutes(ms: number): string {
  const p = localParts(Math.floor(ms / 1000) * 1000);
  return `${p.date} ${p.hh}:${p.mm}`;
}

/**
 * Python `str(timedelta)` truncated to whole seconds: `H:MM:SS`, `1 day, H:MM:SS`, `N days, H:MM:SS`.
 * Negative spans (clock skew between hosts) are shown as `0:00:00` rather than Python's `-1 day, 23:59:59`.
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  const rem = total - days * 86400;
  const hms = `${Math.floor(rem / 3600)}:${pad(Math.floor((rem % 3600) / 60))}:${pad(rem % 60)}`;
  if (days === 0) return hms;
  return `${days} ${days === 1 ? 'day' : 'days'}, ${hms}`;
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

/** Code-point order, like Python's `sorted()` on str (JS's default sort compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only differs from UTF-16 order when one side is a surrogate (astral) and the other is U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
