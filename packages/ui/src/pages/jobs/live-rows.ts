/**
 * The jobs list kept current by live events (pure): a job's state changes in place, a cancelled pending job
 * leaves (the master deletes it, as Scrapyd does), live counters land on their row, and a newly queued job that the
 * filters let in is announced so the page can fetch it (the event carries argument names only, not the row).
 */
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';
import type { JobFilters } from './job-filters.js';
import { jobMatches } from './job-match.js';

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

/**
 * The rows after one event (the same object when the event concerns none of them); with filters, a row the event
 * takes out of them leaves.
 */
export function applyEvent(rows: Rows, e: LiveEvent, filters?: JobFilters): Rows {
  const next = changed(rows, e);
  if (next === rows || filters === undefined || !('runId' in e)) return next;
  const key = rowKey(e.project, e.jobId);
  const row = next.jobs.find((j) => keyOf(j) === key);
  return row === undefined || jobMatches(row, filters) ? next : removed(next, key);
}

function removed(rows: Rows, key: string): Rows {
  const live = { ...rows.live };
  delete live[key];
  return { jobs: rows.jobs.filter((j) => keyOf(j) !== key), live, stopping: without(rows.stopping, key) };
}

function changed(rows: Rows, e: LiveEvent): Rows {
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
      if (e.previousState === 'pending') return removed(rows, key);
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

/**
 * Adds a fetched job where its age puts it (newest first), unless it is shown already or falls after the last row
 * of a full page (it belongs to a later page).
 */
export function insertByAge(rows: Rows, job: JobInfo, limit: number): Rows {
  if (rows.jobs.some((j) => keyOf(j) === keyOf(job))) return rows;
  let at = rows.jobs.findIndex((j) => j.createdAt < job.createdAt);
  if (at < 0) at = rows.jobs.length;
  if (at >= limit) return rows;
  const jobs = [...rows.jobs.slice(0, at), job, ...rows.jobs.slice(at)].slice(0, limit);
  return { ...rows, jobs };
}

/** The items count to show: the live one when newer than the row's summary. */
export function itemsOf(rows: Rows, j: JobInfo): number | null {
  return rows.live[keyOf(j)]?.items ?? j.stats?.items ?? null;
}
