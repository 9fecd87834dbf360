/**
 * Whether a job belongs in the jobs list under its filters (pure), as the API would answer: the list follows the
 * live stream, so a row that an event takes out of the filters (filter "running", the job finishes) leaves, and a
 * job an event brings in (queued, or entering the filtered state) is a new match. The time filters are on the
 * job's creation time, the API's default.
 */
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';
import { timeParam, type JobFilters } from './job-filters.js';

export type Matchable = Pick<JobInfo, 'project' | 'spider' | 'state' | 'outcome' | 'nodeId' | 'tags' | 'createdAt'>;

export function jobMatches(j: Matchable, f: JobFilters): boolean {
  if (f.project && f.project !== j.project) return false;
  if (f.spider && f.spider !== j.spider) return false;
  if (f.state && !f.state.split(',').includes(j.state)) return false;
  if (f.outcome && f.outcome !== j.outcome) return false;
  if (f.nodeId && f.nodeId !== j.nodeId) return false;
  if (f.tag && !j.tags.includes(f.tag)) return false;
  if (f.since && j.createdAt < Number(timeParam(f.since))) return false;
  if (f.until && j.createdAt >= Number(timeParam(f.until))) return false;
  return true;
}

/** Whether a job just queued matches the filters (the event says all a new job's filtered fields). */
export function admitsQueued(f: JobFilters, e: Extract<LiveEvent, { type: 'job.queued' }>): boolean {
  return jobMatches(
    {
      project: e.project,
      spider: e.spider,
      state: 'pending',
      outcome: null,
      nodeId: null,
      tags: e.tags,
      createdAt: e.at,
    },
    f,
  );
}

/**
 * Whether an event about a job not in the list may have brought it into the filters: it entered a state the
 * filters name (a start into "running", an end into "finished", a requeue into "pending"), and nothing the event
 * says rules it out. The event lacks the job's tags and creation time: the page fetches the job and asks
 * `jobMatches` before showing it.
 */
export function mayEnter(f: JobFilters, e: LiveEvent): boolean {
  if (!f.state || !('runId' in e)) return false;
  if (f.project && f.project !== e.project) return false;
  if (f.spider && f.spider !== e.spider) return false;
  const states = f.state.split(',');
  switch (e.type) {
    case 'job.started':
      return states.includes('running') && (!f.nodeId || f.nodeId === e.nodeId) && !f.outcome;
    case 'job.finished':
      return states.includes('finished') && (!f.outcome || f.outcome === e.outcome);
    case 'job.requeued':
      return states.includes('pending') && !f.nodeId && !f.outcome;
    default:
      return false;
  }
}

/**
 * What a page does with an event about a job it does not show: `insert` (fetch it and put it in place: the first
 * page), `count` (a later page: a new job would shift the rows under its cursor, so it is announced instead) or
 * `none`. Only a queued job is counted: one entering a state may belong to any page.
 */
export function arrival(e: LiveEvent, f: JobFilters, firstPage: boolean, shown: boolean): 'insert' | 'count' | 'none' {
  if (shown || !('runId' in e)) return 'none';
  if (e.type === 'job.queued') return !admitsQueued(f, e) ? 'none' : firstPage ? 'insert' : 'count';
  return firstPage && mayEnter(f, e) ? 'insert' : 'none';
}
