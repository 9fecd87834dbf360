/**
 * Which lines the viewer puts in the DOM (the visible ones and a margin: a million-line log costs a few hundred
 * nodes) and when it should read more of the file. Pure: lines have one fixed height.
 */

/** Pixels per row: the same as `.log-line` in styles.css (rows are never wrapped). */
export const LINE_HEIGHT = 18;

export interface LineWindow {
  /** Rows [first, last) of the (filtered) line list to render. */
  first: number;
  last: number;
}

/** The rows in view at `scrollTop`, widened by `margin` rows each side, within [0, count). */
export function lineWindow(
  scrollTop: number,
  viewportHeight: number,
  lineHeight: number,
  count: number,
  margin: number,
): LineWindow {
  const top = Math.floor(Math.max(0, scrollTop) / lineHeight);
  const bottom = Math.ceil((Math.max(0, scrollTop) + viewportHeight) / lineHeight);
  return { first: Math.max(0, Math.min(count, top - margin)), last: Math.max(0, Math.min(count, bottom + margin)) };
}

/** Whether the view is at the bottom (within one line): follow mode stays on while it is. */
export function atBottom(scrollTop: number, viewportHeight: number, scrollHeight: number, lineHeight: number): boolean {
  return scrollTop + viewportHeight >= scrollHeight - lineHeight;
}

/**
 * What to read next: the chunk before the held part when the view is within `threshold` rows of its first line
 * (and the file has more before), the chunk after when within `threshold` rows of its last (and it has more after).
 */
export function wantMore(
  win: LineWindow,
  count: number,
  threshold: number,
  held: { atStart: boolean; atEnd: boolean },
): 'before' | 'after' | null {
  if (!held.atStart && win.first <= threshold) return 'before';
  if (!held.atEnd && win.last >= count - threshold) return 'after';
  return null;
}

/** The range to read before byte `start` (at most `chunk` bytes, never before 0). */
export function rangeBefore(start: number, chunk: number): { offset: number; length: number } | null {
  if (start <= 0) return null;
  const offset = Math.max(0, start - chunk);
  return { offset, length: start - offset };
}

/** Where to read so that byte `offset` (a search match) sits in the middle of one chunk. */
export function rangeAround(offset: number, chunk: number): { offset: number; length: number } {
  return { offset: Math.max(0, offset - Math.floor(chunk / 2)), length: chunk };
}
