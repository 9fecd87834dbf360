/**
 * Run limits: a running job that has run longer than its `maxRunSeconds` (outcome `timed_out`), or made no progress
 * for `stallSeconds` (outcome `stalled`: no new log or items bytes, no change in its live requests or items), gets
 * the cancel signal, then SIGKILL every `killGraceSeconds` until it ends. The limits are read at every sweep (a
 * policy changed while the job runs applies at once). Driven by domain events only; at start-up every running job
 * is tracked again, its stall clock restarted (the master saw nothing while it was down).
 */
import type { Logger } from 'pino';
import type { JobRow } from '../db/repos/jobs.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { JobService } from './job-service.js';

export interface RunLimitsDeps {
  service: JobService;
  /** Running jobs (start-up). */
  running: () => Promise<JobRow[]>;
  events: DomainEvents;
  logger: Logger;
  now: () => number;
  sweepMs?: number;
}

interface Tracked {
  row: JobRow;
  startedAt: number;
  lastProgress: number;
  /** items/requests of the last live stats, to tell progress from a repeated snapshot. */
  counters: string;
  stoppedAt: number | null;
}

/** What a sweep decides for one job (pure, unit-tested). */
export function verdict(
  t: Pick<Tracked, 'startedAt' | 'lastProgress' | 'stoppedAt'>,
  limits: { maxRunSeconds: number | null; stallSeconds: number | null; killGraceSeconds: number },
  now: number,
): { action: 'none' } | { action: 'stop'; outcome: 'timed_out' | 'stalled'; reason: string } | { action: 'kill' } {
  if (t.stoppedAt !== null) {
    return now - t.stoppedAt >= limits.killGraceSeconds * 1000 ? { action: 'kill' } : { action: 'none' };
  }
  if (limits.maxRunSeconds !== null && now - t.startedAt >= limits.maxRunSeconds * 1000) {
    return {
      action: 'stop',
      outcome: 'timed_out',
      reason: `ran longer than its maximum run time of ${limits.maxRunSeconds} s; stopped by the master`,
    };
  }
  if (limits.stallSeconds !== null && now - t.lastProgress >= limits.stallSeconds * 1000) {
    return {
      action: 'stop',
      outcome: 'stalled',
      reason: `no new log or items bytes, requests or items for ${limits.stallSeconds} s; stopped by the master`,
    };
  }
  return { action: 'none' };
}

export class RunLimits {
  readonly #d: RunLimitsDeps;
  readonly #log: Logger;
  /** One entry per running job (bounded by the slots of the cluster). */
  readonly #runs = new Map<string, Tracked>();
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;

  constructor(deps: RunLimitsDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'run-limits' });
    const track = (runId: string) =>
      void deps.service
        .byRunId(runId)
        .then((row) => row?.state === 'running' && this.#track(row))
        .catch((err: unknown) => this.#log.warn({ err, runId }, 'could not track a job’s run limits'));
    deps.events.on('job.started', (e) => track(e.job.runId));
    deps.events.on('job.resumed', (e) => track(e.job.runId));
    deps.events.on('job.finished', (e) => this.#runs.delete(e.job.runId));
    deps.events.on('job.requeued', (e) => this.#runs.delete(e.previousRunId));
    deps.events.on('job.output', (e) => {
      const t = this.#runs.get(e.runId);
      if (t) t.lastProgress = deps.now();
    });
    deps.events.on('job.stats', (e) => {
      const t = this.#runs.get(e.job.runId);
      const counters = `${e.items} ${e.requests}`;
      if (t && counters !== t.counters) {
        t.counters = counters;
        t.lastProgress = deps.now();
      }
    });
  }

  async start(): Promise<void> {
    for (const row of await this.#d.running()) this.#track(row);
    this.#timer = setInterval(() => void this.sweep(), this.#d.sweepMs ?? 1_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #track(row: JobRow): void {
    if (this.#runs.has(row.run_id)) return;
    this.#runs.set(row.run_id, {
      row,
      startedAt: Number(row.started_at ?? row.created_at),
      lastProgress: this.#d.now(),
      counters: '',
      stoppedAt: null,
    });
  }

  /** One pass over the tracked runs at `now()` (the timer's every `sweepMs`; a test calls it with its own clock). */
  async sweep(): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      const now = this.#d.now();
      for (const [runId, t] of this.#runs) {
        const v = verdict(t, this.#d.service.limitsOf(t.row), now);
        if (v.action === 'none') continue;
        t.stoppedAt = now;
        if (v.action === 'stop') {
          this.#log.warn({ runId, jobId: t.row.job_id, nodeId: t.row.node_id, outcome: v.outcome }, v.reason);
          await this.#d.service.stop(t.row, 'SIGTERM', v.reason, v.outcome);
        } else {
          this.#log.warn(
            { runId, jobId: t.row.job_id, nodeId: t.row.node_id },
            'still running after the grace: SIGKILL',
          );
          await this.#d.service.stop(t.row, 'SIGKILL');
        }
      }
    } catch (err) {
      this.#log.error({ err }, 'run limits sweep failed');
    } finally {
      this.#sweeping = false;
    }
  }
}
