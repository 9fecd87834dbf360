/**
 * The master's data dir holds what lets anyone pose as this master (node stored keys in the database, the admin
 * token, the secrets key) and every crawl's eggs, logs and items: no other local user may read any of it.
 * Applied at start-up, before anything in it is opened:
 *
 *   <data_dir>/                    0700 (0711 with crawl_user: crawls traverse into agent/, and list nothing)
 *     master.sqlite (-wal, -shm)   0600 (SQLite gives its journal files the database's mode)
 *     secrets.key, admin-token     0600 (written so; a looser one is replaced or refused by its own module)
 *     eggs/, logs/, items/         0700 (0600 files; only the master's HTTP serves them, behind its auth)
 *     agent/                       the embedded agent's own layout (packages/agent/src/runner/private-layout.ts)
 *
 * A data dir others could read, which the master owns, is tightened (and the log says what changed); one owned by
 * another user is refused, with the commands that fix it, rather than changed behind its owner's back.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { CatalogueError } from '@scrapyard/protocol';
import type { MasterConfig } from './config.js';

/** Refusal to start on a data dir (or a file in it) that other users can read and the master does not own. */
export class DataDirError extends CatalogueError {
  declare readonly code: 'DATA_DIR_UNSAFE';
  constructor(message: string) {
    super('DATA_DIR_UNSAFE', `DATA_DIR_UNSAFE: ${message}`);
  }
}

const PRIVATE_DIR = 0o700;
const TRAVERSE_ONLY = 0o711;
const PRIVATE_FILE = 0o600;

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** The data dir's mode for this configuration. */
export function dataDirMode(config: Pick<MasterConfig, 'localAgent' | 'crawlUser'>): number {
  return config.localAgent && config.crawlUser !== '' ? TRAVERSE_ONLY : PRIVATE_DIR;
}

type DataDirConfig = Pick<MasterConfig, 'dataDir' | 'logsDir' | 'itemsDir' | 'localAgent' | 'crawlUser'>;

/**
 * Creates the data dir (0700) or checks and tightens an existing one; throws DataDirError when it can't be made
 * private. Returns what it changed (also logged at warn).
 */
export function secureDataDir(config: DataDirConfig, logger: Logger): string[] {
  const dir = config.dataDir;
  const uid = process.getuid?.();
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if (uid === undefined) return []; // no POSIX owners or modes (Windows)
  const changes: string[] = [];
  const me = userName();
  const refuse = (path: string, st: Stats, what: string, fix: string) =>
    new DataDirError(
      `${what} ${path} is owned by uid ${st.uid}, not by this master's user (${me}, uid ${uid}), and other users ` +
        `can read it (mode ${octal(st.mode)}): ${fix}, or run the master as the data dir's owner; then start it again`,
    );
  /** Makes one entry exactly `mode` when it grants others more; false when it was already private. */
  const tighten = (path: string, st: Stats, mode: number, what: string, fix: string): boolean => {
    if ((st.mode & 0o777 & ~mode) === 0) return false;
    if (st.uid !== uid) throw refuse(path, st, what, fix);
    chmodSync(path, mode);
    changes.push(`${path}: ${octal(st.mode)} → ${octal(mode)}`);
    return true;
  };

  // A data dir that is a link (to a volume) is judged by what it points to.
  const top = statSync(dir);
  if (!top.isDirectory()) throw new DataDirError(`the data dir ${dir} is not a directory`);
  const target = dataDirMode(config);
  const fixTop = `chown -R ${me} ${dir} && chmod ${octal(target).slice(1)} ${dir}`;
  const loose = tighten(dir, top, target, 'the data dir', fixTop);
  // crawl_user needs traversal (0711); an owner-only dir made before crawl_user was set gets it quietly.
  if (!loose && top.uid === uid && (top.mode & 0o777) !== target) chmodSync(dir, target);

  // secrets.key and admin-token (always written 0600) are judged by their own modules when found looser: the
  // admin token is replaced (it may have leaked), the secrets key refused (only its owner can judge a leak).
  const db = join(dir, 'master.sqlite');
  for (const f of [db, `${db}-wal`, `${db}-shm`]) {
    const st = lstatOf(f);
    // A link is never followed (secret-box and admin-token refuse one themselves).
    if (st?.isFile()) tighten(f, st, PRIVATE_FILE, 'the file', `chown ${me} ${f} && chmod 600 ${f}`);
  }

  const inside = (p: string) => p !== '' && resolve(p).startsWith(`${resolve(dir)}/`);
  for (const tree of [join(dir, 'eggs'), config.logsDir, config.itemsDir]) {
    if (!inside(tree)) continue;
    const st = lstatOf(tree);
    if (!st?.isDirectory()) continue;
    const fix = `chown -R ${me} ${tree} && chmod -R go-rwx ${tree}`;
    // Reachable by others only when the data dir or the tree itself was open: then every entry is checked.
    if (tighten(tree, st, PRIVATE_DIR, 'the directory', fix) || loose) {
      tightenTree(tree, (p, s) => {
        const dir = s.isDirectory();
        tighten(p, s, dir ? PRIVATE_DIR : PRIVATE_FILE, dir ? 'the directory' : 'the file', fix);
      });
    }
  }
  if (changes.length > 0) {
    logger.warn(
      { dataDir: dir, changed: changes.length, examples: changes.slice(0, 20) },
      'data dir: other users could read it; tightened it to owner-only (directories 0700, files 0600)',
    );
  }
  return changes;
}

/** Every entry under `root`, depth first, without following links. */
function tightenTree(root: string, visit: (path: string, st: Stats) => void): void {
  const stack = [root];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatOf(p);
      if (!st || st.isSymbolicLink()) continue;
      visit(p, st);
      if (st.isDirectory()) stack.push(p);
    }
  }
}

function lstatOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.()}`;
  }
}
