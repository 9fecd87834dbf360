/**
 * Cursor pagination of the jobs list (pure). The API goes forward only (`nextCursor`); going back means
 * remembering the cursors of the pages before. The state is that stack: [] is the first page, and the page shown
 * was fetched with the last cursor on it.
 */
export interface Pagination {
  /** Cursors of the pages from the second to the current one. */
  readonly cursors: readonly string[];
}

export const FIRST_PAGE: Pagination = { cursors: [] };

/** The cursor to fetch the current page with (undefined: the first page). */
export const currentCursor = (p: Pagination): string | undefined => p.cursors.at(-1);

/** 1-based number of the current page. */
export const pageNumber = (p: Pagination): number => p.cursors.length + 1;

export const hasPrevious = (p: Pagination): boolean => p.cursors.length > 0;

/** The next page, reached with the current page's `nextCursor` (null: there is none, stay). */
export function next(p: Pagination, nextCursor: string | null): Pagination {
  return nextCursor === null ? p : { cursors: [...p.cursors, nextCursor] };
}

export function previous(p: Pagination): Pagination {
  return hasPrevious(p) ? { cursors: p.cursors.slice(0, -1) } : p;
}

/**
 * The state for a page opened from its URL (`?cursor=` alone, a bookmark or a reload): the pages before it are
 * not known, so "previous" goes back to the first page.
 */
export function fromUrl(cursor: string | null): Pagination {
  return cursor ? { cursors: [cursor] } : FIRST_PAGE;
}

/** Keeps the remembered pages when the URL still names the current cursor (Back/Forward, a re-render). */
export function syncWithUrl(p: Pagination, cursor: string | null): Pagination {
  if ((cursor ?? undefined) === currentCursor(p)) return p;
  const at = cursor ? p.cursors.indexOf(cursor) : -1;
  if (at >= 0) return { cursors: p.cursors.slice(0, at + 1) };
  return fromUrl(cursor);
}
