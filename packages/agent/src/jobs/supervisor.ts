/**
 * Runs the crawls assigned to this agent: fetch the egg, ensure the venv, spawn `scrapy crawl` through the runner
 * in its own session (so stopping or upgrading the agent leaves it running), watch it, deliver cancels to its
 * process group, and record every transition in the job store before anyone else hears of it.
 * On start it re-adopts runs a previous agent process left running (pid + process start time).
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { JobSpec } from '@scrapyard/protocol';
import type { EggCache } from '../runner/egg-cache.js';
import type { VenvManager } from '../runner/venv.js';
import { crawlArgs, crawlVars, jobDirOf, runFiles, type RunFiles } from '../runner/crawl-command.js';
import { spawnIdentity, type CrawlIdentity } from '../runner/crawl-identity.js';
import { crawlProcessEnv, type CrawlBaseEnv } from '../runner/safe-env.js';
import { crawlCwd, prepareJobDir, prepareRunDir, removeRunDir } from '../runner/private-layout.js';
import { isSameProcessAlive, processStartTime } from '../runner/process-identity.js';
import type { JobStore, RunRecord } from './job-store.js';
import { describeEnding } from './outcome.js';

export interface SupervisorDeps {
  store: JobStore;
  eggs: EggCache;
  runnerScript: string;
  runsDir: string;
  jobsDir: string;
  /** The allowlisted environment crawl code may see (safe-env.ts). */
  env: CrawlBaseEnv;
  /** Who crawls run as (crawlUser), or null for the agent's own user. */
  identity: CrawlIdentity | null;
  logger: Logger;
  /** Resolves once the interpreter is known (probing can take a moment at start-up). */
  venvsReady: () => Promise<VenvManager>;
  /** Ship what is left of a run's files before its finish is announced (no-op when offline). */
  drain: () => Promise<void>;
  /** A transition was recorded: flush the outbox. */
  onEvent: () => void;
  /** The runs' live stats channel (runner/stats-channel.ts); absent: no live stats. */
  stats?: RunStatsHooks;
  now?: () => number;
}

/** What the supervisor tells the live stats channel: a crawl is about to run (or was re-adopted), ended, is gone. */
export interface RunStatsHooks {
  /** `fresh` for a crawl about to spawn: returns the token its stats extension presents (null: none). */
  open(runId: string, files: RunFiles, o: { fresh: boolean }): string | null;
  /** Sends the run's final stats; called before its `finished` event is recorded, so they reach the master first. */
  ended(runId: string, files: RunFiles): unknown;
  forget(runId: string): void;
  stop(): void;
}

interface Live {
  cancelled: boolean;
  pid: number | null;
  poll?: NodeJS.Timeout;
}

const ADOPTED_POLL_MS = 500;
const fileSize = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};
const outputTail = (p: string) => {
  try {
    const text = readFileSync(p, 'utf8');
    return text.length > 2000 ? text.slice(-2000) : text;
  } catch {
    return '';
  }
};

export class Supervisor {
  readonly #d: SupervisorDeps;
  readonly #live = new Map<string, Live>();
  readonly #log: Logger;
  readonly #now: () => number;
  #stopped = false;

  constructor(deps: SupervisorDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'supervisor' });
    this.#now = deps.now ?? Date.now;
    mkdirSync(deps.runsDir, { recursive: true });
  }

  /** Runs currently alive (preparing or running) in this agent. */
  get activeCount(): number {
    return this.#live.size;
  }

  filesOf(runId: string): RunFiles {
    return runFiles(this.#d.runsDir, runId);
  }

  /** Re-adopts what a previous agent process left behind; call once before connecting. */
  recover(): void {
    for (const r of this.#d.store.all()) {
      if (r.state === 'preparing') {
        this.#log.info({ runId: r.runId, jobId: r.spec.jobId }, 'resuming a run that had not started');
        this.#startPrepared(r.spec);
      } else if (r.state === 'running' && r.pid !== null) {
        if (isSameProcessAlive(r.pid, r.procStart)) {
          this.#log.info({ runId: r.runId, jobId: r.spec.jobId, pid: r.pid }, 're-adopted a running crawl');
          this.#watchAdopted(r);
        } else {
          this.#finish(r.spec, null, null, false);
        }
      }
    }
  }

  assign(spec: JobSpec): void {
    if (!this.#d.store.add(spec, this.#now())) return; // duplicate assign (replayed after a reconnect)
    this.#startPrepared(spec);
  }

  /** Sends a signal to the run's process group; a run still preparing is stopped before it spawns. */
  cancel(runId: string, signal: string | number): boolean {
    const live = this.#live.get(runId);
    if (!live) return false;
    live.cancelled = true;
    if (live.pid !== null) {
      try {
        // Negative pid: the whole process group, so Scrapy's own children get it too.
        process.kill(-live.pid, signal);
      } catch (e) {
        this.#log.warn({ runId, err: e }, 'signal delivery failed');
      }
    }
    return true;
  }

  /** Stops watching (the crawls themselves keep running; a new agent re-adopts them). */
  stop(): void {
    this.#stopped = true;
    for (const live of this.#live.values()) clearInterval(live.poll);
    this.#d.stats?.stop();
  }

  #startPrepared(spec: JobSpec): void {
    const live: Live = { cancelled: false, pid: null };
    this.#live.set(spec.runId, live);
    const log = this.#log.child({ runId: spec.runId, jobId: spec.jobId, project: spec.project, spider: spec.spider });
    // A run still preparing when the agent stops is picked up again by the next agent's recover().
    void (async () => {
      const files = this.filesOf(spec.runId);
      const id = this.#d.identity;
      let python: string;
      let egg: string | null;
      try {
        prepareRunDir(files, spec, id);
        if (this.#d.jobsDir !== '') prepareJobDir(jobDirOf(this.#d.jobsDir, spec), id);
        [egg, python] = await Promise.all([
          spec.eggDigest === null ? null : this.#d.eggs.get(spec.eggDigest),
          this.#d.venvsReady().then((v) => v.ensure(spec.project, spec.requirements)),
        ]);
      } catch (e) {
        log.error({ err: e }, 'job could not start');
        return this.#finish(
          spec,
          null,
          null,
          live.cancelled,
          `could not start: ${(e as Error).message}`,
          'start_failed',
        );
      }
      if (this.#stopped) return;
      if (live.cancelled) return this.#finish(spec, null, null, true);
      const statsToken = this.#d.stats?.open(spec.runId, files, { fresh: true }) ?? null;
      const out = openSync(files.output, 'a', 0o600);
      let child;
      try {
        child = spawn(python, [this.#d.runnerScript, ...crawlArgs(spec, files, this.#d.jobsDir)], {
          cwd: crawlCwd(files, id),
          env: crawlProcessEnv(this.#d.env, {
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
      child.on('error', (e) => {
        log.error({ err: e }, 'spawn failed');
        this.#finish(spec, null, null, live.cancelled, `spawn failed: ${e.message}`, 'start_failed');
      });
      if (child.pid === undefined) return;
      const startedAt = this.#now();
      live.pid = child.pid;
      this.#d.store.started(spec.runId, child.pid, processStartTime(child.pid), startedAt);
      log.info({ pid: child.pid }, 'crawl started');
      this.#d.onEvent();
      child.on('exit', (code, signal) => {
        log.debug({ code, signal }, 'crawl process exited');
        this.#finish(spec, code, signal, live.cancelled);
      });
      child.unref();
    })().catch((e: unknown) => log.error({ err: e }, 'run supervision failed'));
  }

  #watchAdopted(r: RunRecord): void {
    const live: Live = { cancelled: false, pid: r.pid };
    this.#live.set(r.runId, live);
    this.#d.stats?.open(r.runId, this.filesOf(r.runId), { fresh: false });
    // Not our child any more: poll for its end, and read its exit status from the runner's exit file.
    live.poll = setInterval(() => {
      if (isSameProcessAlive(r.pid!, r.procStart)) return;
      clearInterval(live.poll);
      this.#finish(r.spec, null, null, live.cancelled);
    }, ADOPTED_POLL_MS);
  }

  #finish(
    spec: JobSpec,
    code: number | null,
    signal: NodeJS.Signals | null,
    cancelled: boolean,
    failure?: string,
    outcomeOverride?: 'start_failed',
  ): void {
    // After stop() the store is closed; the next agent process finishes this run from its exit file.
    if (this.#stopped) return;
    if (!this.#live.has(spec.runId) && this.#d.store.get(spec.runId)?.state === 'finished') return;
    this.#live.delete(spec.runId);
    const files = this.filesOf(spec.runId);
    let exitCode = code;
    if (exitCode === null && signal === null && existsSync(files.exit)) {
      // Empty: made for a crawl user and never written (the crawl died before the runner could).
      const text = readFileSync(files.exit, 'utf8').trim();
      const n = Number(text);
      if (text !== '' && Number.isInteger(n)) exitCode = n;
    }
    const ending = describeEnding({ exitCode, signal, cancelled });
    let reason = failure ?? ending.reason;
    if (ending.outcome === 'failed' && !failure) {
      const tail = outputTail(files.output).trim();
      if (tail) reason = `${reason}\n${tail}`;
    }
    const record = this.#d.store.get(spec.runId);
    const event = {
      kind: 'finished' as const,
      runId: spec.runId,
      startedAt: record?.startedAt ?? null,
      endedAt: this.#now(),
      exitCode,
      signal,
      outcome: outcomeOverride ?? ending.outcome,
      reason: reason === null ? null : reason.slice(0, 8000),
      logBytes: fileSize(files.log),
      itemsBytes: fileSize(files.items),
    };
    // Ship the last bytes first, so a client that sees `finished` also sees the whole log.
    void this.#d
      .drain()
      .catch((e: unknown) =>
        this.#log.warn({ err: e, runId: spec.runId }, 'final log shipping failed; it resumes later'),
      )
      .finally(() => {
        if (this.#stopped) return;
        this.#d.stats?.ended(spec.runId, files);
        this.#d.store.finished(event);
        this.#log.info(
          { runId: spec.runId, jobId: spec.jobId, outcome: event.outcome, exitCode, signal },
          'crawl ended',
        );
        this.#d.onEvent();
      });
  }

  /** Deletes the local files of a run the master has fully acknowledged. */
  purge(runId: string): void {
    try {
      removeRunDir(this.filesOf(runId));
    } catch (e) {
      this.#log.warn({ runId, err: e }, 'could not remove the files of a finished run');
    }
    this.#d.stats?.forget(runId);
    this.#d.store.remove(runId);
  }
}
