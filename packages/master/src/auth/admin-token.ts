/**
 * The admin token: a random secret in `<data_dir>/admin-token` (mode 0600) that proves its bearer can read the
 * master's own files, i.e. is the master's OS user (or root) on the master host. Without basic-auth credentials it
 * is the only way to change state through the REST API; `scrapyard-master node …` reads it from the same data dir.
 *
 * The file is kept across restarts, so scripts that read it once keep working; deleting it (or loosening its
 * mode) makes the next start write a new one. It is written atomically (temporary file, then rename), so a reader
 * never sees half a token, and the rename replaces a planted symlink instead of following it.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writePrivateFile } from './private-file.js';

export const ADMIN_TOKEN_FILE = 'admin-token';
/** `adm_` tells it apart from agents' 64-hex session tokens, which travel in the same header. */
export const ADMIN_TOKEN_FORMAT = /^adm_[0-9a-f]{64}$/;

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, ADMIN_TOKEN_FILE);
}

/** Why an existing token file cannot be reused, or null when it can. */
function unusable(path: string): string | null {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `unreadable (${(e as Error).message})`;
  }
  if (!st.isFile()) return 'not a regular file';
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return 'owned by another user';
  if ((st.mode & 0o077) !== 0) return 'readable by other users';
  if (!ADMIN_TOKEN_FORMAT.test(readFileSync(path, 'utf8').trim())) return 'malformed';
  return null;
}

/** The token of this data dir: the existing file's when it is sound, else a new one written to it. */
export function loadOrCreateAdminToken(dataDir: string, logger: Logger): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = adminTokenPath(dataDir);
  const problem = unusable(path);
  if (problem === null) {
    logger.info({ path }, 'admin token: reusing the existing file');
    return readFileSync(path, 'utf8').trim();
  }
  const token = `adm_${randomBytes(32).toString('hex')}`;
  writePrivateFile(path, `${token}\n`);
  const level = problem === 'missing' ? 'info' : 'warn';
  logger[level]({ path, previous: problem }, 'admin token: wrote a new token file (mode 0600)');
  return token;
}

/** The token for a CLI on the master host, or why there is none (so the CLI can say so). */
export function readAdminToken(dataDir: string): { token: string } | { problem: string } {
  const path = adminTokenPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      problem: `${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code}`,
    };
  }
  return ADMIN_TOKEN_FORMAT.test(text) ? { token: text } : { problem: `${path}: not an admin token` };
}
