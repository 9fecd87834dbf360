/**
 * Stores what agents report of their crawls' Scrapy stats (`job.stats`, already checked to be the node's own run by
 * agent-events.ts): the latest snapshot per run with its summary, a downsampled series, and the exceptions; then
 * announces `job.stats` so features such as stall detection subscribe instead of polling.
 *
 * Bounded: live reports of a run faster than one per `MIN_GAP_MS` are dropped (an agent sends one every 5 s), the
 * in-memory series cache holds at most `CACHE_MAX` runs, and sample times far from the master's clock are replaced
 * by the time of receipt. The final snapshot is never dropped and never replaced.
 */
import type { Logger } from 'pino';
import { HANDSHAKE_MAX_SKEW_MS, type JobStats, type JobStatsPoint } from '@scrapyard/protocol';
import type { JobStatsRepo } from '../db/repos/job-stats.js';
import type { JobRow } from '../db/repos/jobs.js';
import type { DomainEvents } from '../events/domain-events.js';
import { appendPoint, pointOf, summarize } from './stats-summary.js';

const MIN_GAP_MS = 1_000;
const CACHE_MAX = 10_000;

export interface LiveStatsDeps {
  repo: JobStatsRepo;
  events: DomainEvents;
  logger: Logger;
  now: () => number;
}

export class LiveStats {
  readonly #d: LiveStatsDeps;
  readonly #log: Logger;
  /** Series of runs reporting now (saves reading the row back on every report) and when each last reported. */
  readonly #runs = new Map<string, { series: JobStatsPoint[]; receivedAt: number }>();

  constructor(deps: LiveStatsDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'live-stats' });
    deps.events.on('job.finished', (e) => this.#runs.delete(e.job.runId));
    deps.events.on('job.requeued', (e) => this.#runs.delete(e.previousRunId));
  }

  /** Applies one report about `row`'s run, sent by `nodeId` (its owner). */
  async record(row: JobRow, nodeId: string, msg: JobStats): Promise<void> {
    if (row.state === 'pending') return; // a requeued run's id is gone; a pending job has no crawl
    const now = this.#d.now();
    const cached = this.#runs.get(msg.runId);
    if (!msg.final && cached && now - cached.receivedAt < MIN_GAP_MS) return;
    // A live report after the job finished only counts if no final one came (the repository refuses it otherwise).
    const at = Math.abs(msg.at - now) > HANDSHAKE_MAX_SKEW_MS ? now : msg.at;
    const summary = summarize(msg.stats, msg.exceptions, at, msg.final);
    const before = cached?.series ?? (await this.#d.repo.get(msg.runId))?.series ?? [];
    const series = appendPoint(before, pointOf(summary));
    const stored = await this.#d.repo.put({
      runId: msg.runId,
      jobSeq: row.seq,
      nodeId,
      at,
      final: msg.final,
      source: msg.source,
      summary,
      stats: msg.stats,
      series,
      exceptions: msg.exceptions,
    });
    if (!stored) return;
    if (msg.final) {
      this.#runs.delete(msg.runId);
    } else {
      if (!cached && this.#runs.size >= CACHE_MAX) {
        // Oldest entry first (Map order): a run that stopped reporting without a final one.
        const oldest = this.#runs.keys().next().value;
        if (oldest !== undefined) this.#runs.delete(oldest);
      }
      this.#runs.set(msg.runId, { series, receivedAt: now });
    }
    this.#log.debug({ runId: msg.runId, nodeId, final: msg.final, items: summary.items }, 'stored live stats');
    this.#d.events.publish({
      type: 'job.stats',
      job: { jobId: row.job_id, runId: row.run_id, project: row.project, spider: row.spider },
      nodeId,
      final: msg.final,
      sampledAt: at,
      items: summary.items,
      requests: summary.requests,
      responses: summary.responses.total,
      errors: summary.errors,
      finishReason: summary.finishReason,
    });
  }
}
