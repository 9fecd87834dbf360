/**
 * Spawns one crawl: the runner under the venv's python, in its own session and process group (so it survives an
 * agent restart and a cancel reaches all its children), output to a file, and its stats token on fd 3.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { JobSpec } from '@scrapyard/protocol';
import { crawlArgs, crawlVars, type RunFiles } from '../runner/crawl-command.js';
import { spawnIdentity, type CrawlIdentity } from '../runner/crawl-identity.js';
import { crawlCwd } from '../runner/private-layout.js';
import { crawlProcessEnv, type CrawlBaseEnv } from '../runner/safe-env.js';

export interface CrawlLaunch {
  python: string;
  runnerScript: string;
  spec: JobSpec;
  /** The egg's path in the cache, or null for a project without one. */
  egg: string | null;
  files: RunFiles;
  jobsDir: string;
  env: CrawlBaseEnv;
  identity: CrawlIdentity | null;
  /** The token the crawl's stats extension presents, or null: no live stats. */
  statsToken: string | null;
}

export function spawnCrawl(l: CrawlLaunch): ChildProcess {
  const { python, spec, egg, files, statsToken } = l;
  const id = l.identity;
  const out = openSync(files.output, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(python, [l.runnerScript, ...crawlArgs(spec, files, l.jobsDir)], {
      cwd: crawlCwd(files, id),
      env: crawlProcessEnv(l.env, {
        identity: id,
        python,
        vars: { ...crawlVars(spec, egg, files), ...(statsToken ? { SCRAPYARD_STATS_TOKEN_FD: '3' } : {}) },
      }),
      ...spawnIdentity(id),
      // Own session and process group: survives an agent restart, and a cancel reaches all its children.
      detached: true,
      // Files, not pipes: a pipe would break (SIGPIPE) when the agent restarts mid-crawl.
      // fd 3 (a socketpair: nobody can open it through /proc) hands the crawl its stats token; the runner reads
      // it once and closes it, so it can't break when the agent restarts.
      stdio: statsToken ? ['ignore', out, out, 'pipe'] : ['ignore', out, out],
    });
    const tokenPipe = child.stdio[3] as Socket | null | undefined;
    if (statsToken && tokenPipe) {
      tokenPipe.on('error', () => undefined); // a crawl that died at once: it has no use for the token
      // 65 bytes fit the socket buffer at once; an agent stopping meanwhile need not wait for the crawl to read.
      tokenPipe.end(`${statsToken}\n`);
      tokenPipe.unref();
    }
  } finally {
    closeSync(out);
  }
  return child;
}
