/**
 * A spider's finished runs as chart series and a success rate (pure). Runs arrive newest first (the job list's
 * order); the chart reads oldest to newest, one point per run at its end time.
 */

export interface RunFacts {
  id: string;
  outcome: string | null;
  startedAt: number | null;
  endedAt: number | null;
  stats: { items: number; errors: number } | null;
}

export interface RunSeries {
  /** Seconds since the epoch (uPlot's x), one per run, ascending. */
  x: number[];
  items: (number | null)[];
  /** Seconds the crawl ran, null when it never started. */
  duration: (number | null)[];
  errors: (number | null)[];
  /** The job ids, aligned with x (for the tooltip and picking runs). */
  ids: string[];
}

export function runSeries(newestFirst: readonly RunFacts[]): RunSeries {
  const runs = newestFirst.filter((r) => r.endedAt !== null).reverse();
  return {
    x: runs.map((r) => r.endedAt! / 1000),
    items: runs.map((r) => r.stats?.items ?? null),
    duration: runs.map((r) => (r.startedAt === null ? null : Math.max(0, (r.endedAt! - r.startedAt) / 1000))),
    errors: runs.map((r) => r.stats?.errors ?? null),
    ids: runs.map((r) => r.id),
  };
}

/** Succeeded among the runs that ended other than by a cancel (a cancel says nothing of the spider); null: none. */
export function successRate(runs: readonly Pick<RunFacts, 'outcome'>[]): { rate: number; of: number } | null {
  const judged = runs.filter((r) => r.outcome !== null && r.outcome !== 'cancelled');
  if (judged.length === 0) return null;
  return { rate: judged.filter((r) => r.outcome === 'succeeded').length / judged.length, of: judged.length };
}
