/**
 * The one owner of the job lifecycle: submit, cancel, claim, start, finish, lose (requeue or finish lost) and
 * resume. Every surface (the Scrapyd API, the REST API) and the cluster code (dispatcher, agent messages, lost-run
 * sweep) call it; nothing else writes a job's state. Each transition is committed first, then announced once as
 * a domain event from here (`job.queued`, `job.started`, `job.finished`, `job.requeued`, `job.cancelled`,
 * `job.resumed`). `finish` is the single place a job finishes, whoever noticed it.
 */
import { existsSync, renameSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EffectivePolicy, JobOutcome, JobPolicyOverride } from '@scrapyard/protocol';
import type { FinishInfo, JobFilter, JobRow, JobsRepo } from '../db/repos/jobs.js';
import type { ProjectFilter } from '../db/repos/project-filter.js';
import type { DomainEvents, JobRef } from '../events/domain-events.js';
import type { AgentRegistry } from '../registry/registry.js';
import { assertPathSafe } from '../projects/project-service.js';
import type { PolicyStore } from '../projects/policy-store.js';
import { projectNotFound, spiderNotFound } from '../projects/project-errors.js';
import { badSignal, duplicateJob, reservedArgument } from './job-errors.js';
import { jobFilePath, type JobFilesConfig } from './job-files.js';
import type { LogSink } from './log-sink.js';
import { normalizeTags } from './placement.js';
import { uuid1Hex } from './uuid1.js';

export function newRunId(): string {
  return randomUUID().replaceAll('-', '');
}

export interface JobServiceDeps {
  jobs: JobsRepo;
  registry: AgentRegistry;
  policies: PolicyStore;
  sink: LogSink;
  files: JobFilesConfig;
  events: DomainEvents;
  /** The spiders of a project's version (latest when absent or empty); throws the catalogue's not-found errors. */
  spiders: (project: string, version: string | undefined) => Promise<string[]>;
  projectExists: (project: string) => Promise<boolean>;
  /** Finished jobs kept, newest first (`finished_to_keep`). */
  finishedToKeep: number;
  logger: Logger;
  now: () => number;
}

export interface SubmitInput {
  project: string;
  spider: string;
  /** As the client sent it; absent or empty means the latest version at launch (deviation D4). */
  version: string | undefined;
  jobId: string | undefined;
  priority: number;
  settings: [string, string][];
  args: [string, string][];
  /** Tags an agent must have; undefined = the spider's or project's policy. */
  tags: string[] | undefined;
  /** The schedule whose fire submits it. */
  scheduleId?: string;
  /** Its own run limits (win over the spider's and project's). */
  policy?: JobPolicyOverride | null;
}

/** Spider arguments the runner claims; passing them made Scrapyd fail with a TypeError (docs/scrapyd-api.md §3.3). */
const RESERVED_ARGS = new Set(['settings', '_job', 'name', 'spider_name', '_version']);

const SIGNALS: Record<string, string> = {
  HUP: 'SIGHUP',
  INT: 'SIGINT',
  KILL: 'SIGKILL',
  STOP: 'SIGSTOP',
  TERM: 'SIGTERM',
};

/** Validates a cancel `signal` (Scrapyd's names or a number) before anything is removed (deviation D6). */
export function parseSignal(raw: string | undefined): string | number {
  if (raw === undefined) return 'SIGINT';
  const named = SIGNALS[raw];
  if (named) return named;
  if (/^\d{1,2}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 64) return Number(raw);
  throw badSignal(raw);
}

/** How long an agent has to confirm a cancel; an unconfirmed one is re-sent at its next connection. */
const CANCEL_REPLY_MS = 30_000;

/** The signal of a run's `count`-th cancel: the second one kills (Scrapy's graceful stop can take arbitrarily long). */
function cancelSignal(count: number, signal: string): string | number {
  if (count >= 2) return 'SIGKILL';
  return /^\d+$/.test(signal) ? Number(signal) : signal;
}

/** The unique key of a job: its project, spider and the values of the chosen arguments (absent: null). */
export function uniqueKeyOf(project: string, spider: string, args: [string, string][], names: string[]): string {
  const values = new Map(args);
  return JSON.stringify([project, spider, ...names.map((n) => [n, values.get(n) ?? null])]);
}

/** Delay before the retry after `attempt`: base × 2^(attempt-1), at most the maximum, with ±20 % jitter. */
export function retryDelayMs(
  attempt: number,
  p: Pick<EffectivePolicy, 'retryBackoffSeconds' | 'retryBackoffMaxSeconds'>,
  random: () => number = Math.random,
): number {
  const base = Math.min(p.retryBackoffMaxSeconds, p.retryBackoffSeconds * 2 ** Math.max(0, attempt - 1)) * 1000;
  return Math.round(base * (0.8 + 0.4 * random()));
}

export const refOf = (row: JobRow): JobRef => ({
  jobId: row.job_id,
  runId: row.run_id,
  project: row.project,
  spider: row.spider,
});

export class JobService {
  readonly #d: JobServiceDeps;
  readonly #log: Logger;

  constructor(deps: JobServiceDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'jobs' });
    // Cancels issued while a node was away reach it when it is back.
    deps.events.on('node.online', (e) => {
      void deps.jobs
        .undeliveredCancels(e.nodeId)
        .then((rows) => {
          for (const r of rows) {
            this.#deliverCancel(r, cancelSignal(r.cancel_count, r.cancel_signal ?? 'SIGINT'), r.cancel_count);
          }
        })
        .catch((err: unknown) => this.#log.warn({ err, nodeId: e.nodeId }, 're-sending cancels failed'));
    });
  }

  // ----- commands -----

  /**
   * What a submit would refuse about the job's spider and arguments (reserved argument names, an unknown project,
   * version or spider), so a schedule is checked when it is saved, not only when it fires.
   */
  async checkSubmittable(input: Pick<SubmitInput, 'project' | 'spider' | 'version' | 'args'>): Promise<void> {
    for (const [key] of input.args) {
      if (RESERVED_ARGS.has(key)) throw reservedArgument(key);
    }
    if (!(await this.#d.spiders(input.project, input.version)).includes(input.spider)) {
      throw spiderNotFound(input.project, input.spider);
    }
  }

  /** Queues a job; resolves once it is committed (schedule.json's hot path: nothing is read back). */
  async submit(input: SubmitInput): Promise<JobRef> {
    await this.checkSubmittable(input);
    assertPathSafe(input.spider, 'spider');
    const jobId = input.jobId ?? uuid1Hex();
    if (input.jobId !== undefined) assertPathSafe(jobId, 'jobid');
    const job = {
      runId: newRunId(),
      jobId,
      project: input.project,
      spider: input.spider,
      versionRequested: input.version === '' ? null : (input.version ?? null),
      settings: input.settings,
      args: input.args,
      priority: input.priority,
      createdAt: this.#d.now(),
      tags: normalizeTags(input.tags ?? this.#d.policies.tagsFor(input.project, input.spider)),
      scheduleId: input.scheduleId ?? null,
      policy: input.policy && Object.keys(input.policy).length > 0 ? input.policy : null,
      uniqueKey: null as string | null,
    };
    const unique = this.#d.policies.limitsFor(input.project, input.spider, job.policy).uniqueArgs;
    if (unique === null) {
      await this.#d.jobs.insertPending(job);
    } else {
      job.uniqueKey = uniqueKeyOf(input.project, input.spider, input.args, unique);
      const held = await this.#d.jobs.activeWithKey(job.uniqueKey);
      if (held || !(await this.#d.jobs.insertUnique(job))) {
        const other = held ?? (await this.#d.jobs.activeWithKey(job.uniqueKey));
        throw duplicateJob({
          project: input.project,
          spider: input.spider,
          uniqueArgs: unique,
          heldBy: other && { jobId: other.job_id, state: other.state },
        });
      }
    }
    const ref = { jobId, runId: job.runId, project: job.project, spider: job.spider };
    this.#d.events.publish({
      type: 'job.queued',
      job: ref,
      priority: job.priority,
      tags: job.tags,
      attempt: 1,
      scheduleId: job.scheduleId,
      argNames: input.args.map(([k]) => k),
      settingNames: input.settings.map(([k]) => k),
    });
    return ref;
  }

  /**
   * Scrapyd's cancel: a pending job is removed; a running one gets the signal in its process group (the second
   * cancel of a run kills: Scrapy's graceful stop can take arbitrarily long). An offline node gets it when it
   * reconnects.
   */
  async cancel(project: string, jobId: string, signalRaw: string | undefined) {
    const signal = parseSignal(signalRaw);
    if (!(await this.#d.projectExists(project))) throw projectNotFound(project);
    let prevstate: 'pending' | 'running' | null = null;
    for (const row of await this.#d.jobs.deletePending(project, jobId)) {
      this.#removed(row, 'cancelled');
      prevstate = 'pending';
    }
    for (const row of await this.#d.jobs.running(project, jobId)) {
      const count = await this.#d.jobs.recordCancel(row.run_id, String(signal));
      const sent = cancelSignal(count, String(signal));
      this.#deliverCancel(row, sent, count);
      this.#d.events.publish({
        type: 'job.cancelled',
        job: refOf(row),
        previousState: 'running',
        signal: String(sent),
        why: 'cancelled',
      });
      prevstate = 'running';
    }
    return { prevstate };
  }

  /** Deviation D7: a deleted project's pending jobs go with it. */
  async purgeProject(project: string): Promise<void> {
    for (const row of await this.#d.jobs.deletePendingOfProject(project)) this.#removed(row, 'project deleted');
  }

  /**
   * The master stops a running job itself (a limit it exceeded): the agent gets `signal`, and the job's outcome
   * will be `outcome` (default `failed`) for `reason`, whatever the crawl's ending looks like.
   */
  async stop(row: JobRow, signal: string, reason?: string, outcome?: 'timed_out' | 'stalled'): Promise<void> {
    if (reason !== undefined && (await this.#d.jobs.recordStop(row.run_id, reason, outcome ?? null))) {
      this.#log.warn({ runId: row.run_id, jobId: row.job_id, nodeId: row.node_id, reason }, 'stopping a job');
    }
    this.#deliverCancel(row, signal, null);
  }

  /**
   * Sends a cancel to the run's agent and records its confirmation, so a reconnect re-sends only the cancels the
   * agent never confirmed (a second SIGINT would force Scrapy into an unclean stop). An offline agent gets them
   * when it is back (see the constructor).
   */
  #deliverCancel(row: Pick<JobRow, 'run_id' | 'node_id'>, signal: string | number, count: number | null): void {
    const session = row.node_id ? this.#d.registry.get(row.node_id) : undefined;
    if (!session) return;
    void session
      .request('job.cancel', { runId: row.run_id, signal }, CANCEL_REPLY_MS)
      .then(async (r) => {
        if (r.found && count !== null) await this.#d.jobs.recordCancelDelivered(row.run_id, count);
      })
      .catch((e: unknown) =>
        this.#log.debug({ err: e, runId: row.run_id }, 'cancel not confirmed; re-sent on reconnect'),
      );
  }

  /** Moves a pending job to running on a node (the dispatcher placed it); false if it is gone meanwhile. */
  claim(job: JobRow, nodeId: string, version: string): Promise<boolean> {
    return this.#d.jobs.claim(job.seq, nodeId, version, this.#d.now());
  }

  /** The crawl process of a run exists (its pid). A replay of the same report changes nothing. */
  async started(run: JobRow, pid: number, startedAt: number): Promise<void> {
    // Scrapy creates its log and feed when the crawl starts, so Scrapyd lists log_url and items_url for a running
    // job at once: create them now (empty until the first bytes arrive), before anyone can see the pid.
    if (run.state === 'running') this.#forEachFile(run, (path) => this.#d.sink.size(path));
    const r = await this.#d.jobs.markStarted(run.run_id, pid, startedAt);
    if (!r?.changed) return;
    this.#log.info({ runId: run.run_id, jobId: run.job_id, pid, nodeId: run.node_id }, 'job started');
    this.#d.events.publish({
      type: 'job.started',
      job: refOf(r.row),
      nodeId: r.row.node_id ?? '',
      pid,
      attempt: r.row.attempt,
    });
  }

  /**
   * The one place a job finishes: an agent's report, a lost run given up, a job that could not start. Idempotent
   * (a replayed finish changes nothing; a guessed `lost` is replaced by the real ending). True if it finished now.
   */
  async finish(given: JobRow, info: FinishInfo): Promise<boolean> {
    // The caller's row may be a cached copy: the stop reason and node must be current.
    const run = (await this.#d.jobs.byRunId(given.run_id)) ?? given;
    // A run the master stopped for a limit failed for that reason, however its process ended.
    const f =
      run.stop_reason !== null && info.outcome !== 'lost'
        ? { ...info, outcome: (run.stop_outcome ?? 'failed') as JobOutcome, reason: run.stop_reason }
        : info;
    // A retryable ending with attempts left: the job runs again after its backoff instead of finishing.
    const p = this.limitsOf(run);
    if (
      run.state === 'running' &&
      f.outcome !== 'lost' &&
      (p.retryOn as string[]).includes(f.outcome) &&
      run.attempt <= p.retries
    ) {
      const delay = retryDelayMs(run.attempt, p);
      const reason = `${f.reason ?? f.outcome}; retry ${run.attempt} of ${p.retries} in ${Math.round(delay / 1000)} s`;
      if (
        await this.#requeue(run, { outcome: f.outcome, reason, countAttempt: true, notBefore: this.#d.now() + delay })
      ) {
        this.#forEachFile(run, (path) => this.#d.sink.close(path));
        return true;
      }
    }
    if (!(await this.#d.jobs.markFinished(run.run_id, f, this.#d.finishedToKeep))) return false;
    this.#forEachFile(run, (path) => this.#d.sink.close(path));
    this.#log.info(
      { runId: run.run_id, jobId: run.job_id, outcome: f.outcome, exitCode: f.exitCode, nodeId: run.node_id },
      'job finished',
    );
    this.#d.events.publish({
      type: 'job.finished',
      job: refOf(run),
      nodeId: run.node_id === '' ? null : run.node_id,
      attempt: run.attempt,
      outcome: f.outcome as JobOutcome,
      exitCode: f.exitCode,
      reason: f.reason,
      startedAt: f.startedAt ?? run.started_at,
      endedAt: f.endedAt,
    });
    return true;
  }

  /**
   * A run that can't finish normally (its node is gone, or never had it): requeued when `always` or while its
   * attempts stay within the retry policy, else finished as lost. A run that never started (`countAttempt: false`)
   * doesn't use up an attempt.
   */
  async lose(row: JobRow, reason: string, o: { countAttempt: boolean; always?: boolean }): Promise<void> {
    const p = this.limitsOf(row);
    if (o.always || (p.retryOn.includes('lost') && row.attempt <= p.retries)) {
      // A run that never started is retried at once; a lost one waits its backoff like any retry.
      const notBefore = o.countAttempt ? this.#d.now() + retryDelayMs(row.attempt, p) : null;
      await this.#requeue(row, { outcome: 'lost', reason, countAttempt: o.countAttempt, notBefore });
      return;
    }
    await this.finish(row, {
      endedAt: this.#d.now(),
      startedAt: null,
      exitCode: null,
      signal: null,
      outcome: 'lost',
      reason,
    });
  }

  /**
   * Ends a run and queues the job again as its next attempt (same job id and queue place, new run id), not placed
   * before `notBefore`; the run that ended is kept in job_attempts with its files (`<job>.attempt-N.log`).
   */
  async #requeue(
    row: JobRow,
    o: { outcome: string; reason: string; countAttempt: boolean; notBefore: number | null },
  ): Promise<boolean> {
    this.#archiveFiles(row);
    const next = newRunId();
    const requeued = await this.#d.jobs.requeue(row.run_id, next, {
      countAttempt: o.countAttempt,
      reason: o.reason,
      endedAt: this.#d.now(),
      outcome: o.outcome,
      notBefore: o.notBefore,
    });
    if (!requeued) return false;
    this.#log.warn(
      {
        runId: row.run_id,
        newRunId: next,
        jobId: row.job_id,
        nodeId: row.node_id,
        outcome: o.outcome,
        reason: o.reason,
        notBefore: o.notBefore,
      },
      o.outcome === 'lost' ? 'run lost: job requeued' : 'run ended: job requeued for a retry',
    );
    this.#d.events.publish({
      type: 'job.requeued',
      job: refOf(requeued),
      previousRunId: row.run_id,
      attempt: requeued.attempt,
      reason: o.reason,
    });
    return true;
  }

  /** A run declared lost whose node came back with it still running: it runs again. */
  async resume(run: JobRow, nodeId: string): Promise<boolean> {
    if (!(await this.#d.jobs.resurrect(run.run_id, nodeId))) return false;
    this.#log.warn({ runId: run.run_id, jobId: run.job_id, nodeId }, 'lost run is back: running again');
    this.#d.events.publish({ type: 'job.resumed', job: refOf(run), nodeId });
    return true;
  }

  /** Trims finished jobs to `finished_to_keep` (after a finish, and at start-up for a lowered limit). */
  async #trim(): Promise<void> {
    await this.#d.jobs
      .trimFinished(this.#d.finishedToKeep)
      .catch((e: unknown) => this.#log.error({ err: e }, 'trimming finished jobs failed'));
  }

  trimFinished(): Promise<void> {
    return this.#trim();
  }

  // ----- queries -----

  /** The run limits in force for a job (its own, else its spider's, else its project's). */
  limitsOf(row: Pick<JobRow, 'project' | 'spider' | 'policy'>): EffectivePolicy {
    const own = row.policy === null ? null : (JSON.parse(row.policy) as JobPolicyOverride);
    return this.#d.policies.limitsFor(row.project, row.spider, own);
  }

  byRunId(runId: string): Promise<JobRow | undefined> {
    return this.#d.jobs.byRunId(runId);
  }

  byRunIds(runIds: readonly string[]): Promise<JobRow[]> {
    return this.#d.jobs.byRunIds(runIds);
  }

  /** The latest run of a job id, optionally within a project, among the visible projects. */
  latest(jobId: string, project?: string, visible: ProjectFilter = '*'): Promise<JobRow | undefined> {
    return this.#d.jobs.latestByJobId(jobId, project, visible);
  }

  attempts(row: JobRow) {
    return this.#d.jobs.attemptsOf(row.seq);
  }

  page(f: JobFilter & { before?: number; limit: number; visible?: ProjectFilter }): Promise<JobRow[]> {
    return this.#d.jobs.page(f);
  }

  // ----- files -----

  #forEachFile(row: Pick<JobRow, 'project' | 'spider' | 'job_id'>, fn: (path: string) => void): void {
    for (const stream of ['log', 'items'] as const) {
      const path = jobFilePath(this.#d.files, stream, row.project, row.spider, row.job_id);
      if (path) fn(path);
    }
  }

  /** A pending job removed: nothing may keep its files open (a requeued job had them open), and say so. */
  #removed(row: JobRow, why: 'cancelled' | 'project deleted'): void {
    this.#forEachFile(row, (path) => this.#d.sink.close(path));
    this.#d.events.publish({ type: 'job.cancelled', job: refOf(row), previousState: 'pending', signal: null, why });
  }

  /** Keeps a lost attempt's partial log and items beside the retry's (`<job>.attempt-1.log`). */
  #archiveFiles(row: JobRow): void {
    this.#forEachFile(row, (path) => {
      if (!existsSync(path)) return;
      this.#d.sink.close(path);
      const dot = path.lastIndexOf('.');
      try {
        renameSync(path, `${path.slice(0, dot)}.attempt-${row.attempt}${path.slice(dot)}`);
      } catch (e) {
        this.#log.warn({ err: e, path }, 'could not keep the lost attempt’s file');
      }
    });
  }
}
