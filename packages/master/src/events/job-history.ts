/**
 * The job events a durable consumer catches up on, rebuilt from the database: `job.started`, `job.finished` and
 * `job.requeued`, as they were published (`seq` 0: not from the live stream; `at` the time the database holds).
 * An event's position is its time (a finish's `endedAt`), its key what makes it unique (`<type>:<run>`).
 */
import type { JobOutcome } from '@scrapyard/protocol';
import type { JobHistoryRepo } from '../db/repos/job-history.js';
import type { JobRef, Published } from './domain-events.js';

export type JobEventType = 'job.started' | 'job.finished' | 'job.requeued';

export function jobEventPosition(e: Published<JobEventType>): number {
  return e.type === 'job.finished' ? e.endedAt : e.at;
}

export function jobEventKey(e: Published<JobEventType>): string {
  return `${e.type}:${e.type === 'job.requeued' ? e.previousRunId : e.job.runId}`;
}

/**
 * Reads the events of `types` at or after a position, oldest first, at most `limit` (each type is read up to
 * `limit`, then the merge is cut: whatever lies before the last one returned was all read).
 */
export function jobHistory<T extends JobEventType>(repo: JobHistoryRepo, types: readonly T[]) {
  const want = new Set<JobEventType>(types);
  return async (from: number, limit: number): Promise<Published<T>[]> => {
    const out: Published<JobEventType>[] = [];
    if (want.has('job.started')) {
      for (const r of await repo.started(from, limit)) {
        out.push({
          type: 'job.started',
          job: refOf(r, r.run_id),
          nodeId: r.node_id ?? '',
          pid: r.pid ?? 0,
          attempt: r.attempt,
          seq: 0,
          at: r.started_at,
        });
      }
    }
    if (want.has('job.finished')) {
      for (const r of await repo.finished(from, limit)) {
        if (r.outcome === null) continue;
        out.push({
          type: 'job.finished',
          job: refOf(r, r.run_id),
          nodeId: r.node_id,
          attempt: r.attempt,
          outcome: r.outcome as JobOutcome,
          exitCode: r.exit_code,
          reason: r.reason,
          startedAt: r.started_at,
          endedAt: r.ended_at,
          seq: 0,
          at: r.ended_at,
        });
      }
    }
    if (want.has('job.requeued')) {
      for (const a of await repo.requeued(from, limit)) {
        out.push({
          type: 'job.requeued',
          job: refOf(a, a.current_run_id),
          previousRunId: a.run_id,
          attempt: a.attempt + 1,
          reason: a.reason ?? '',
          seq: 0,
          at: a.ended_at,
        });
      }
    }
    out.sort((a, b) => jobEventPosition(a) - jobEventPosition(b));
    return out.slice(0, limit) as Published<T>[];
  };
}

function refOf(r: { job_id: string; project: string; spider: string }, runId: string): JobRef {
  return { jobId: r.job_id, runId, project: r.project, spider: r.spider };
}
