/**
 * Cancelling jobs (JobService.cancel, stop, purgeProject): a pending job is removed, a running one gets a signal
 * through its agent, confirmed, and re-sent at the agent's next connection if it never was.
 */
import type { Logger } from 'pino';
import type { JobRow } from '../db/repos/jobs.js';
import { projectNotFound } from '../projects/project-errors.js';
import { badSignal } from './job-errors.js';
import { forEachJobFile } from './job-files.js';
import { refOf } from './job-refs.js';
import type { JobServiceDeps } from './job-service.js';

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

type CancelDeps = Pick<JobServiceDeps, 'jobs' | 'registry' | 'sink' | 'files' | 'events' | 'projectExists'>;

export class JobCancels {
  readonly #d: CancelDeps;
  readonly #log: Logger;

  constructor(deps: CancelDeps, log: Logger) {
    this.#d = deps;
    this.#log = log;
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

  /** A pending job removed: nothing may keep its files open (a requeued job had them open), and say so. */
  #removed(row: JobRow, why: 'cancelled' | 'project deleted'): void {
    forEachJobFile(this.#d.files, row, (path) => this.#d.sink.close(path));
    this.#d.events.publish({ type: 'job.cancelled', job: refOf(row), previousState: 'pending', signal: null, why });
  }
}
