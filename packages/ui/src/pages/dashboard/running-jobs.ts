/**
 * The running jobs a page lists, kept live from the stream (pure): a start adds a row, stats update its counts,
 * an end (finished, cancelled, requeued) removes it. `nodeId` narrows the list to one node's jobs.
 */
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';

export interface RunningJob {
  jobId: string;
  project: string;
  spider: string;
  nodeId: string | null;
  startedAt: number | null;
  items: number;
  requests: number;
  errors: number;
}

export function runningFromJob(j: JobInfo): RunningJob {
  return {
    jobId: j.id,
    project: j.project,
    spider: j.spider,
    nodeId: j.nodeId,
    startedAt: j.startedAt,
    items: j.stats?.items ?? 0,
    requests: j.stats?.requests ?? 0,
    errors: j.stats?.errors ?? 0,
  };
}

/** The list after `e`; the same array when `e` changes nothing (no re-render). */
export function applyRunningEvent(rows: readonly RunningJob[], e: LiveEvent, nodeId?: string): readonly RunningJob[] {
  switch (e.type) {
    case 'job.started': {
      if (nodeId !== undefined && e.nodeId !== nodeId) return rows;
      const row: RunningJob = {
        jobId: e.jobId,
        project: e.project,
        spider: e.spider,
        nodeId: e.nodeId,
        startedAt: e.at,
        items: 0,
        requests: 0,
        errors: 0,
      };
      return [row, ...rows.filter((r) => r.jobId !== e.jobId)];
    }
    case 'job.stats': {
      const i = rows.findIndex((r) => r.jobId === e.jobId);
      if (i < 0 || e.final) return rows;
      const next = rows.slice();
      next[i] = { ...rows[i]!, items: e.items, requests: e.requests, errors: e.errors };
      return next;
    }
    case 'job.finished':
    case 'job.cancelled':
    case 'job.requeued':
      return rows.some((r) => r.jobId === e.jobId) ? rows.filter((r) => r.jobId !== e.jobId) : rows;
    default:
      return rows;
  }
}
