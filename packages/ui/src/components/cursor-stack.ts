/**
 * Previous/next over a cursor-paged list (pure, generic): the API answers a page and the cursor of the next one, so
 * going back means remembering the cursors of the pages already seen. The first page's cursor is `undefined`.
 */
export interface CursorStack<C> {
  /** The cursor of each page from the first to the current one. */
  readonly trail: readonly (C | undefined)[];
}

export const firstPage = <C>(): CursorStack<C> => ({ trail: [undefined] });

/** The cursor to ask the current page with (undefined: the first page). */
export const currentCursor = <C>(s: CursorStack<C>): C | undefined => s.trail[s.trail.length - 1];

/** 1 for the first page. */
export const pageNumber = <C>(s: CursorStack<C>): number => s.trail.length;

export const hasPrevious = <C>(s: CursorStack<C>): boolean => s.trail.length > 1;

/** On to the page the current answer's next cursor names (null: there is none, the stack stays). */
export function nextPage<C>(s: CursorStack<C>, next: C | null): CursorStack<C> {
  return next === null ? s : { trail: [...s.trail, next] };
}

/** Back one page (the first page stays the first). */
export function previousPage<C>(s: CursorStack<C>): CursorStack<C> {
  return hasPrevious(s) ? { trail: s.trail.slice(0, -1) } : s;
}

/**
 * The stack for a page opened from its URL (`?cursor=` alone: a bookmark or a reload): the pages before it are not
 * known, so "previous" goes back to the first page.
 */
export function fromCursor<C>(cursor: C | undefined): CursorStack<C> {
  return cursor === undefined ? firstPage<C>() : { trail: [undefined, cursor] };
}

/** Keeps the pages remembered when the URL still names one of them (Back/Forward, a re-render). */
export function syncWithCursor<C>(s: CursorStack<C>, cursor: C | undefined): CursorStack<C> {
  if (cursor === currentCursor(s)) return s;
  const at = s.trail.indexOf(cursor);
  if (at >= 0) return { trail: s.trail.slice(0, at + 1) };
  return fromCursor(cursor);
}
