/** Content types of the files the static trees serve, as Twisted's `static.File` names them. */

/** Extension → MIME type (lower-cased extension). Anything else is `text/plain`, Scrapyd's default type. */
const MIME_TYPES: Record<string, string> = {
  '.log': 'text/plain',
  '.txt': 'text/plain',
  '.jl': 'text/plain',
  '.json': 'application/json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.csv': 'text/csv',
  '.xml': 'text/xml',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
};
const DEFAULT_TYPE = 'text/plain';
const ENCODINGS: Record<string, string> = { '.gz': 'gzip' };

function extname(name: string): string {
  const i = name.lastIndexOf('.');
  return i <= 0 ? '' : name.slice(i).toLowerCase();
}

/** Like Twisted's `getTypeAndEncoding`: a `.gz` suffix is the encoding and the inner extension the type. */
export function typeAndEncoding(name: string): { type: string; encoding: string | null } {
  let ext = extname(name);
  let encoding: string | null = null;
  const enc = ENCODINGS[ext];
  if (enc !== undefined) {
    encoding = enc;
    ext = extname(name.slice(0, -ext.length));
  }
  return { type: MIME_TYPES[ext] ?? DEFAULT_TYPE, encoding };
}

/** The Content-Type header: text types get an explicit UTF-8 charset (Scrapy logs are UTF-8). */
export function contentTypeHeader(type: string): string {
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}

/** Twisted's `formatFileSize`. */
export function formatFileSize(size: number): string {
  if (size < 1024) return `${size}B`;
  if (size < 1024 ** 2) return `${Math.floor(size / 1024)}K`;
  if (size < 1024 ** 3) return `${Math.floor(size / 1024 ** 2)}M`;
  return `${Math.floor(size / 1024 ** 3)}G`;
}
