/**
 * Runs the crawls assigned to this agent: fetch the egg, ensure the venv, spawn `scrapy crawl` through the runner
 * in its own session (so stopping or upgrading the agent leaves it running), watch it, deliver cancels to its
 * process group, and record every transition in the job store before anyone else hears of it.
 * On start it re-adopts runs a previous agent process left running (pid + process start time).
 */
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { JobSpec } from '@scrapyard/protocol';
import type { EggCache } from '../runner/egg-cache.js';
import type { VenvManager } from '../runner/venv.js';
import { jobDirOf, runFiles, type RunFiles } from '../runner/crawl-command.js';
import type { CrawlIdentity } from '../runner/crawl-identity.js';
import type { CrawlBaseEnv } from '../runner/safe-env.js';
import { prepareJobDir, prepareRunDir, removeRunDir } from '../runner/private-layout.js';
import { isSameProcessAlive, processStartTime } from '../runner/process-identity.js';
import type { JobStore, RunRecord } from './job-store.js';
import { spawnCrawl } from './crawl-spawn.js';
import { finishedEvent } from './run-ending.js';

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
      const child = spawnCrawl({
        python,
        runnerScript: this.#d.runnerScript,
        spec,
        egg,
        files,
        jobsDir: this.#d.jobsDir,
        env: this.#d.env,
        identity: id,
        statsToken,
      });
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
    const event = finishedEvent({
      runId: spec.runId,
      files,
      code,
      signal,
      cancelled,
      failure,
      outcomeOverride,
      startedAt: this.#d.store.get(spec.runId)?.startedAt ?? null,
      endedAt: this.#now(),
    });
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
          { runId: spec.runId, jobId: spec.jobId, outcome: event.outcome, exitCode: event.exitCode, signal },
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
