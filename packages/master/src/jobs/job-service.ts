/**
 * The one owner of the job lifecycle: submit, cancel, claim, start, finish, lose (requeue or finish lost) and
 * resume. Every surface (the Scrapyd API, the REST API) and the cluster code (dispatcher, agent messages, lost-run
 * sweep) call it; nothing else writes a job's state. Each transition is committed first, then announced once as
 * a domain event from here (`job.queued`, `job.started`, `job.finished`, `job.requeued`, `job.cancelled`,
 * `job.resumed`). `finish` is the single place a job finishes, whoever noticed it.
 */
import { existsSync, renameSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EffectivePolicy, JobOutcome, JobPolicyOverride } from '@scrapyard/protocol';
import type { FinishInfo, JobFilter, JobRow, JobsRepo } from '../db/repos/jobs.js';
import type { ProjectFilter } from '../db/repos/project-filter.js';
import type { DomainEvents, JobRef } from '../events/domain-events.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { PolicyStore } from '../projects/policy-store.js';
import { JobCancels } from './job-cancels.js';
import { forEachJobFile, type JobFilesConfig } from './job-files.js';
import { newRunId, refOf } from './job-refs.js';
import { JobSubmission, type SubmitInput } from './job-submission.js';
import type { LogSink } from './log-sink.js';

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

/** Delay before the retry after `attempt`: base × 2^(attempt-1), at most the maximum, with ±20 % jitter. */
export function retryDelayMs(
  attempt: number,
  p: Pick<EffectivePolicy, 'retryBackoffSeconds' | 'retryBackoffMaxSeconds'>,
  random: () => number = Math.random,
): number {
  const base = Math.min(p.retryBackoffMaxSeconds, p.retryBackoffSeconds * 2 ** Math.max(0, attempt - 1)) * 1000;
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class JobService {
  readonly #d: JobServiceDeps;
  readonly #log: Logger;

  readonly #submission: JobSubmission;
  readonly #cancels: JobCancels;

  constructor(deps: JobServiceDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'jobs' });
    this.#submission = new JobSubmission(deps);
    this.#cancels = new JobCancels(deps, this.#log);
  }

  // ----- commands -----

  /**
   * What a submit would refuse about the job's spider and arguments (job-submission.ts), so a schedule is checked
   * when it is saved, not only when it fires.
   */
  checkSubmittable(input: Pick<SubmitInput, 'project' | 'spider' | 'version' | 'args'>): Promise<void> {
    return this.#submission.checkSubmittable(input);
  }

  /** Queues a job; resolves once it is committed (schedule.json's hot path: nothing is read back). */
  submit(input: SubmitInput): Promise<JobRef> {
    return this.#submission.submit(input);
  }

  /** Scrapyd's cancel (job-cancels.ts): a pending job is removed, a running one signalled. */
  cancel(project: string, jobId: string, signalRaw: string | undefined) {
    return this.#cancels.cancel(project, jobId, signalRaw);
  }

  /** Deviation D7: a deleted project's pending jobs go with it. */
  purgeProject(project: string): Promise<void> {
    return this.#cancels.purgeProject(project);
  }

  /** The master stops a running job itself, for a limit it exceeded (job-cancels.ts). */
  stop(row: JobRow, signal: string, reason?: string, outcome?: 'timed_out' | 'stalled'): Promise<void> {
    return this.#cancels.stop(row, signal, reason, outcome);
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
    forEachJobFile(this.#d.files, row, fn);
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
