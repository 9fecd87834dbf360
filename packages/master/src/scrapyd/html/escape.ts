/** HTML escaping with the semantics of Python's `html.escape(s, quote=True)`. */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
};

/** Escape `& < > " '` exactly like Python's `html.escape` (so it is safe in text and quoted attributes). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * `escapeHtml` plus CR/LF as numeric references. Used for values placed in single-line table cells that
 * ScrapydWeb matches with `.*?` (which cannot cross a newline): a job id containing a newline would
 * otherwise make its whole row invisible to ScrapydWeb. Browsers render both forms the same way.
 */
export function escapeHtmlLine(s: string): string {
  return escapeHtml(s).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');
}
