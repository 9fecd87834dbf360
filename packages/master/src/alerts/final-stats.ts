/**
 * A finished run's final stats for the alert engine: the agent sends them just before the finish, so a run whose
 * stats are not final yet waits for its `job.stats` (final) a short while; a crawl that died reports none.
 */
import type { CrawlStats, JobStatsSummary } from '@scrapyard/protocol';

export interface StatsSource {
  get(runId: string): Promise<{ final: boolean; summary: JobStatsSummary; stats: CrawlStats } | undefined>;
}

export type RunStats = Awaited<ReturnType<StatsSource['get']>>;

export class FinalStats {
  /** Final stats waiters by run id. */
  readonly #statsWaiters = new Map<string, () => void>();

  constructor(
    private readonly source: StatsSource,
    private readonly waitMs: number,
    /** Most runs waiting at once; beyond, a run is judged with what it has. */
    private readonly maxWaiting: number,
  ) {}

  /** A run's final stats arrived (`job.stats` with `final`). */
  arrived(runId: string): void {
    this.#statsWaiters.get(runId)?.();
  }

  /** Stops every wait (the engine stops). */
  wakeAll(): void {
    for (const wake of this.#statsWaiters.values()) wake();
  }

  /** The run's stats, once final (or after a short wait: a crawl that died reports none). */
  async get(runId: string): Promise<RunStats> {
    const first = await this.source.get(runId);
    if (first?.final) return first;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.waitMs);
      const stats = this.#statsWaiters;
      function done() {
        clearTimeout(timer);
        stats.delete(runId);
        resolve();
      }
      if (stats.size < this.maxWaiting) stats.set(runId, done);
    });
    return this.source.get(runId);
  }
}
