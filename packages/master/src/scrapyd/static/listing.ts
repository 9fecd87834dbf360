/** The directory listing of a static tree, as Twisted's `DirectoryLister` renders it (Scrapyd's look). */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeHtml, escapeHtmlLine } from '../html/escape.js';
import { compareCodePoints, formatLocalMinutes, quoteUrl } from '../html/format.js';
import { formatFileSize, typeAndEncoding } from './content-type.js';
import { isInside, unquoteLenient } from './tree-paths.js';

interface Entry {
  name: string;
  isDir: boolean;
  size: number;
  mtimeMs: number;
}

async function readEntries(rootReal: string, dir: string): Promise<Entry[]> {
  const dirents = await readdir(dir, { withFileTypes: true });
  const entries = await Promise.all(
    dirents.map(async (d): Promise<Entry | null> => {
      const full = join(dir, d.name);
      try {
        // Hide symlinks that lead outside the tree (they would 404 anyway).
        if (d.isSymbolicLink() && !isInside(rootReal, await realpath(full))) return null;
        const s = await stat(full);
        if (s.isDirectory()) return { name: d.name, isDir: true, size: 0, mtimeMs: s.mtimeMs };
        return { name: d.name, isDir: false, size: s.size, mtimeMs: s.mtimeMs };
      } catch {
        return null; // vanished, broken symlink or unreadable: skipped (Twisted skips files it can't size)
      }
    }),
  );
  return entries.filter((e): e is Entry => e !== null);
}

function listingRow(cls: 'odd' | 'even', e: Entry): string {
  const { type, encoding } = e.isDir ? { type: 'Directory', encoding: null } : typeAndEncoding(e.name);
  const slash = e.isDir ? '/' : '';
  return (
    `<tr class="${cls}">\n` +
    `    <td><a href="${quoteUrl(e.name, '/')}${slash}">${escapeHtmlLine(e.name)}${slash}</a></td>\n` +
    `    <td>${e.isDir ? '' : formatFileSize(e.size)}</td>\n` +
    `    <td>${formatLocalMinutes(e.mtimeMs)}</td>\n` +
    `    <td>[${type}]</td>\n` +
    `    <td>${encoding === null ? '' : `[${encoding}]`}</td>\n` +
    `</tr>\n`
  );
}

/** `shown`: which entries the caller may see (absent: all). */
export async function renderListing(
  rootReal: string,
  dir: string,
  requestPath: string,
  shown?: (name: string) => boolean,
): Promise<string> {
  const all = await readEntries(rootReal, dir);
  const entries = shown ? all.filter((e) => shown(e.name)) : all;
  const byName = (a: Entry, b: Entry) => compareCodePoints(a.name, b.name);
  const ordered = [...entries.filter((e) => e.isDir).sort(byName), ...entries.filter((e) => !e.isDir).sort(byName)];
  const rows = ordered.map((e, i) => listingRow(i % 2 === 0 ? 'odd' : 'even', e)).join('');
  const title = `Directory listing for ${escapeHtml(unquoteLenient(requestPath))}`;
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; background-color: #efefef; }
h1 { padding: .3em; margin: 0 0 .5em; background-color: #777; color: white; }
table { margin: 0 auto; border-collapse: collapse; }
th, td { padding: .2em .8em; text-align: left; }
.odd { background-color: #dedede; }
.even { background-color: #eee; }
</style>
</head>
<body>
<h1>${title}</h1>
<table>
    <thead>
        <tr>
            <th>Filename</th>
            <th>Size</th>
            <th>Last modified</th>
            <th>Content type</th>
            <th>Content encoding</th>
        </tr>
    </thead>
    <tbody>
${rows}    </tbody>
</table>
</body>
</html>
`;
}
