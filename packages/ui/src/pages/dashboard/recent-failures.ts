/** The dashboard's recent failures (pure): from the last finished jobs, and each failing end the stream tells. */
import type { JobInfo, LiveEvent } from '@scrapyard/protocol';
import { isFailure } from './overview-live.js';

export interface Failure {
  jobId: string;
  project: string;
  spider: string;
  nodeId: string | null;
  outcome: string;
  reason: string | null;
  endedAt: number;
}

export const FAILURES_SHOWN = 10;

export function failuresFromJobs(jobs: readonly JobInfo[]): Failure[] {
  const out: Failure[] = [];
  for (const j of jobs) {
    if (j.endedAt === null || j.outcome === null || !isFailure(j.outcome)) continue;
    out.push({
      jobId: j.id,
      project: j.project,
      spider: j.spider,
      nodeId: j.nodeId,
      outcome: j.outcome,
      reason: j.reason,
      endedAt: j.endedAt,
    });
  }
  return out.slice(0, FAILURES_SHOWN);
}

/** The list after `e`: a failing end goes first (once), the oldest falls off. */
export function applyFailureEvent(rows: readonly Failure[], e: LiveEvent): readonly Failure[] {
  if (e.type !== 'job.finished' || !isFailure(e.outcome)) return rows;
  const row: Failure = {
    jobId: e.jobId,
    project: e.project,
    spider: e.spider,
    nodeId: e.nodeId,
    outcome: e.outcome,
    reason: e.reason,
    endedAt: e.endedAt,
  };
  return [row, ...rows.filter((r) => r.jobId !== e.jobId)].slice(0, FAILURES_SHOWN);
}
