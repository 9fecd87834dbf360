/**
 * One query for a page of jobs' stats summaries instead of one per job: lookups asked for in the same event-loop
 * turn (a page's `toJobInfo` calls) are answered by one `summaries` call.
 */
import type { JobStatsSummary } from '@scrapyard/protocol';

export function batchedStatsSummaries(
  summaries: (runIds: string[]) => Promise<Map<string, JobStatsSummary>>,
): (runId: string) => Promise<JobStatsSummary | null> {
  let waiting: { runId: string; resolve: (s: JobStatsSummary | null) => void; reject: (e: unknown) => void }[] = [];
  const flush = () => {
    const batch = waiting;
    waiting = [];
    summaries(batch.map((w) => w.runId)).then(
      (found) => {
        for (const w of batch) w.resolve(found.get(w.runId) ?? null);
      },
      (e: unknown) => {
        for (const w of batch) w.reject(e);
      },
    );
  };
  return (runId) =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ runId, resolve, reject });
    });
}
