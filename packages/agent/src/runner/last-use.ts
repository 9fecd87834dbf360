/**
 * Cache entries (eggs, venvs) record their last use in a file's mtime, so garbage collection keeps what is used
 * and drops what is not, without a bookkeeping database.
 */
import { lutimesSync, statSync } from 'node:fs';

/** Marks `path` used now; false when it does not exist (anything else is still an existing entry). */
export function markUsed(path: string): boolean {
  const now = new Date();
  try {
    // Never through a link: venvs may be owned by the crawl user, who could plant one pointing anywhere.
    lutimesSync(path, now, now);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Milliseconds since `path` was last used, or null when it is gone. */
export function idleMs(path: string, now: number): number | null {
  try {
    return now - statSync(path).mtimeMs;
  } catch {
    return null;
  }
}
