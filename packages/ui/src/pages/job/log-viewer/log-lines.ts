/**
 * A log's text cut into lines with their byte offsets (the API counts bytes, JavaScript counts UTF-16 units) and
 * each line's level on Scrapy's log format. Pure: no DOM.
 */

export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type Level = (typeof LEVELS)[number];

/** Scrapy's LOG_FORMAT: `2024-05-01 12:00:00 [scrapy.core.engine] INFO: Spider opened`. */
const HEADER =
  /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?: ?[+-]\d{2}:?\d{2})? \[[^\]]*\] (DEBUG|INFO|WARNING|ERROR|CRITICAL):/;

/** The level a line announces, or undefined for a line that is not a log record's first line (a traceback's). */
export function parseLevel(line: string): Level | undefined {
  // Cheap test first: every record starts with a digit.
  const c = line.charCodeAt(0);
  if (c < 48 || c > 57) return undefined;
  return HEADER.exec(line)?.[1] as Level | undefined;
}

/** Bytes of `s` in UTF-8, without allocating. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // a surrogate pair: 2 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/** The index in `s` of the character that starts at UTF-8 byte `bytes` (s.length past the end). */
export function charIndexAtByte(s: string, bytes: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (n >= bytes) return i;
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return s.length;
}

/** Lines of a piece of log, each with its starting byte and level (inherited for continuation lines). */
export interface Lines {
  text: string[];
  starts: number[];
  levels: (Level | undefined)[];
}

/**
 * Splits `text` (whole lines, starting at byte `start`) into lines. A line without a record header takes the level
 * of the line before it (a traceback belongs to its ERROR); `inherited` is the level in force before the text.
 * A trailing '\n' does not make an empty last line.
 */
export function splitLines(text: string, start: number, inherited?: Level): Lines {
  const out: Lines = { text: [], starts: [], levels: [] };
  let level = inherited;
  let at = start;
  let from = 0;
  while (from < text.length) {
    const nl = text.indexOf('\n', from);
    const stop = nl < 0 ? text.length : nl;
    const raw = text.slice(from, stop);
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    level = parseLevel(line) ?? level;
    out.text.push(line);
    out.starts.push(at);
    out.levels.push(level);
    at += utf8Length(raw) + (nl < 0 ? 0 : 1);
    from = stop + 1;
  }
  return out;
}

/**
 * Trims a range's text to whole lines: without the head before the first '\n' unless the range starts the file,
 * and without the tail after the last '\n' unless it ends the file. Answers the trimmed text and its byte bounds.
 * A range with no '\n' at all keeps its text (a line longer than the range is shown cut rather than never).
 */
export function wholeLines(
  text: string,
  start: number,
  end: number,
  fileSize: number,
): { text: string; start: number; end: number } {
  let a = 0;
  let b = text.length;
  if (start > 0) {
    const nl = text.indexOf('\n');
    if (nl < 0) return { text, start, end };
    a = nl + 1;
  }
  if (end < fileSize) {
    const nl = text.lastIndexOf('\n');
    if (nl < a) return { text, start, end };
    b = nl + 1;
  }
  return {
    text: text.slice(a, b),
    start: start + utf8Length(text.slice(0, a)),
    end: end - utf8Length(text.slice(b)),
  };
}
