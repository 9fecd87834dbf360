/**
 * The jobs list kept current by live events (pure): a job's state changes in place, a cancelled pending job
 * leaves (the master deletes it, as Scrapyd does), live counters land on their row, and a newly queued job that the
 * filters let in is announced so the page can fetch it (the event carries argument names only, not the row).
 */
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';
import type { JobFilters } from './job-filters.js';
import { timeParam } from './job-filters.js';

export interface LiveCounters {
  items: number;
  requests: number;
}

export interface Rows {
  jobs: readonly JobInfo[];
  /** Counters from `job.stats` events, newer than the rows' own summaries; by rowKey. */
  live: Readonly<Record<string, LiveCounters>>;
  /** Running jobs a cancel was sent to (they finish once their crawl stops); by rowKey. */
  stopping: ReadonlySet<string>;
}

export const rowKey = (project: string, jobId: string) => `${project}/${jobId}`;
export const keyOf = (j: Pick<JobInfo, 'project' | 'id'>) => rowKey(j.project, j.id);

export const rowsOf = (jobs: readonly JobInfo[]): Rows => ({ jobs, live: {}, stopping: new Set() });

/** Whether a job just queued belongs on the first page under these filters. */
export function admitsQueued(f: JobFilters, e: Extract<LiveEvent, { type: 'job.queued' }>): boolean {
  if (f.project && f.project !== e.project) return false;
  if (f.spider && f.spider !== e.spider) return false;
  if (f.state && !f.state.split(',').includes('pending')) return false;
  if (f.outcome || f.nodeId) return false;
  if (f.tag && !e.tags.includes(f.tag)) return false;
  if (f.since && e.at < Number(timeParam(f.since))) return false;
  if (f.until && e.at >= Number(timeParam(f.until))) return false;
  return true;
}

function patch(rows: Rows, key: string, change: (j: JobInfo) => JobInfo): Rows {
  const at = rows.jobs.findIndex((j) => keyOf(j) === key);
  if (at < 0) return rows;
  const jobs = rows.jobs.slice();
  jobs[at] = change(jobs[at]!);
  return { ...rows, jobs };
}

const without = <T>(set: ReadonlySet<T>, v: T) => {
  const out = new Set(set);
  out.delete(v);
  return out;
};

/** The rows after one event (the same object when the event concerns none of them). */
export function applyEvent(rows: Rows, e: LiveEvent): Rows {
  if (!('runId' in e)) return rows;
  const key = rowKey(e.project, e.jobId);
  switch (e.type) {
    case 'job.started':
      return patch(rows, key, (j) => ({
        ...j,
        state: 'running',
        runId: e.runId,
        nodeId: e.nodeId,
        pid: e.pid,
        attempt: e.attempt,
        startedAt: e.at,
        pendingReason: null,
      }));
    case 'job.finished': {
      const next = patch(rows, key, (j) => ({
        ...j,
        state: 'finished',
        outcome: e.outcome,
        reason: e.reason,
        exitCode: e.exitCode,
        endedAt: e.endedAt,
        startedAt: e.startedAt ?? j.startedAt,
        nodeId: e.nodeId ?? j.nodeId,
        pendingReason: null,
      }));
      return next === rows ? rows : { ...next, stopping: without(next.stopping, key) };
    }
    case 'job.cancelled':
      if (!rows.jobs.some((j) => keyOf(j) === key)) return rows;
      if (e.previousState === 'pending') return { ...rows, jobs: rows.jobs.filter((j) => keyOf(j) !== key) };
      return { ...rows, stopping: new Set(rows.stopping).add(key) };
    case 'job.requeued':
      return patch(rows, key, (j) => ({
        ...j,
        state: 'pending',
        runId: e.runId,
        attempt: e.attempt,
        nodeId: null,
        pid: null,
        startedAt: null,
        pendingReason: e.reason,
      }));
    case 'job.stats':
      if (!rows.jobs.some((j) => keyOf(j) === key)) return rows;
      return { ...rows, live: { ...rows.live, [key]: { items: e.items, requests: e.requests } } };
    default:
      return rows;
  }
}

/** Adds a fetched job on top (newest first), unless it is already shown (an event and a reload crossed). */
export function prepend(rows: Rows, job: JobInfo, limit: number): Rows {
  if (rows.jobs.some((j) => keyOf(j) === keyOf(job))) return rows;
  return { ...rows, jobs: [job, ...rows.jobs].slice(0, limit) };
}

/** The items count to show: the live one when newer than the row's summary. */
export function itemsOf(rows: Rows, j: JobInfo): number | null {
  return rows.live[keyOf(j)]?.items ?? j.stats?.items ?? null;
}
