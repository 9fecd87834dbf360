/**
 * File modes that keep crawl code (running as `crawlUser`) away from what it must not read. With no crawl identity
 * every function here is the plain `mkdir -p` / `rm -rf`, and the layout is what it always was.
 *
 *   <dataDir>/                       agent 0711  traverse only: nothing can be listed
 *     node-credential.json           agent 0600
 *     agent.sqlite (-wal, -shm)      agent 0600
 *     eggs/                          agent 0755  readable: crawls import from them
 *     venvs/<key>/                   crawl user  built by pip running as the crawl user
 *     work/                          agent 0711  `scrapy list` runs here
 *     runs/                          agent 0711  run ids can't be listed
 *       <runId>/                     agent:<crawl group> 0710  enter only: no listing, no new files
 *         job.log, items.jl,         agent:<crawl group> 0620  write-only for the crawl: no run can read
 *         exit-status, stats.json                              another's log, items, exit status or stats
 *         stats.sock                 agent:<crawl group> 0620  the run's live stats socket (stats-channel.ts)
 *         output.txt                 agent 0600  (opened by the agent)
 *         work/                      crawl user 0700  the crawl's working dir (caches such as .scrapy)
 *
 * The agent never walks a tree the crawl user can write as root (a link swapped in mid-walk would turn a root
 * `rm -rf` against any file): such trees are removed by `rm -rf` running as their owner.
 *
 * What this does not protect: runs of one crawl user share a uid, so they can reach each other's working dirs and
 * venvs, and a crawl that learns another run's id (command lines are visible in /proc) can append to its log.
 * Use one agent (and one crawl user) per group of projects that must not see each other.
 */
import { errorWithCode } from '@scrapyard/protocol';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, lstatSync, mkdirSync, openSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunFiles } from './crawl-command.js';
import type { CrawlIdentity } from './crawl-identity.js';

const TRAVERSE_ONLY = 0o711;
const RUN_DIR = 0o710;
const WRITE_ONLY = 0o620;

/** Creates the agent's top-level directories with the modes above. */
export function prepareDataDir(dataDir: string, id: CrawlIdentity | null): void {
  for (const d of [dataDir, join(dataDir, 'runs'), join(dataDir, 'work')]) {
    mkdirSync(d, { recursive: true });
    if (id) chmodSync(d, TRAVERSE_ONLY);
  }
}

/** The crawl's working directory: its run dir, or (with a crawl identity) the run's own `work/`. */
export function crawlCwd(files: RunFiles, id: CrawlIdentity | null): string {
  return id ? join(files.dir, 'work') : files.dir;
}

/** A run's directory and the files the crawl writes through Scrapy and the runner, made before it starts. */
export function prepareRunDir(files: RunFiles, o: { log: boolean; items: boolean }, id: CrawlIdentity | null): void {
  mkdirSync(files.dir, { recursive: true });
  if (!id) return;
  const agentUid = process.getuid!();
  chownSync(files.dir, agentUid, id.gid);
  chmodSync(files.dir, RUN_DIR);
  const writeOnly = [files.exit, files.stats, ...(o.log ? [files.log] : []), ...(o.items ? [files.items] : [])];
  for (const path of writeOnly) {
    closeSync(openSync(path, 'a', WRITE_ONLY));
    chownSync(path, agentUid, id.gid);
    chmodSync(path, WRITE_ONLY);
  }
  const work = crawlCwd(files, id);
  mkdirSync(work, { recursive: true });
  chownSync(work, id.uid, id.gid);
  chmodSync(work, 0o700);
}

/** Deletes a run's directory (the crawl-owned working dir first, as its owner). */
export function removeRunDir(files: RunFiles): void {
  removeTree(join(files.dir, 'work'));
  rmSync(files.dir, { recursive: true, force: true });
}

/** A Scrapy JOBDIR the crawl owns (it persists state there between runs of the same job). */
export function prepareJobDir(dir: string, id: CrawlIdentity | null): void {
  if (!id) return; // Scrapy creates it itself
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chownSync(dir, id.uid, id.gid);
  chmodSync(dir, 0o700);
}

/** An empty directory owned by the identity (a venv about to be built by pip running as it). */
export function makeOwnedDir(dir: string, id: CrawlIdentity | null): void {
  mkdirSync(dir, { recursive: true });
  if (id) chownSync(dir, id.uid, id.gid);
}

export class RemoveError extends errorWithCode('REMOVE_FAILED') {}

/**
 * `rm -rf`, with the contents of a tree the agent's user doesn't own deleted by its owner (`find -delete` as that
 * user): root never walks a tree someone else can change under it. The emptied top directory is removed last.
 */
export function removeTree(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.uid === process.getuid?.() || !st.isDirectory()) {
    rmSync(path, { recursive: true, force: true });
    return;
  }
  // The owner may have made a directory read-only (some packages do): give it back write access first.
  const r = spawnSync('sh', ['-c', 'chmod -R u+w -- "$1" 2>/dev/null; find "$1" -mindepth 1 -delete', 'sh', path], {
    uid: st.uid,
    gid: st.gid,
    timeout: 10 * 60_000,
  });
  if (r.status !== 0) throw new RemoveError(`cannot remove ${path}: ${r.stderr?.toString().trim() || r.status}`);
  rmdirSync(path);
}
