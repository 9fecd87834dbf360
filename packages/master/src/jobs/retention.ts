/**
 * Scrapyd's `jobs_to_keep`: before a job starts, a spider's log (and local items) directory keeps only its
 * `keep` most recently modified files — any file, as in Scrapyd. 0 keeps everything (deviation D3).
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export function pruneOldFiles(dir: string, keep: number): void {
  if (keep <= 0) return;
  let entries: { path: string; mtime: number }[];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(dir, e.name);
        return { path, mtime: statSync(path).mtimeMs };
      });
  } catch {
    return; // No directory yet: nothing to prune.
  }
  entries.sort((a, b) => b.mtime - a.mtime);
  for (const e of entries.slice(keep)) {
    try {
      unlinkSync(e.path);
    } catch {
      // Deletion errors are ignored, as in Scrapyd: a file in use elsewhere must not stop a job starting.
    }
  }
}
