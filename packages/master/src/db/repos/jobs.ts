/**
 * Jobs in all three states: the rows and what the repository takes, and the repository itself, made of three
 * parts in jobs/: the queue (pending jobs in and out, dispatch order), the lifecycle (claim to finish, requeue)
 * and the reads (lookups, pages, lists, counts).
 */
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { JobsTable, JobStateColumn } from '../schema.js';
import { jobLifecycle } from './jobs/lifecycle.js';
import { jobQueue } from './jobs/queue.js';
import { jobReads } from './jobs/reads.js';

export type JobRow = Selectable<JobsTable>;

export interface NewJob {
  runId: string;
  jobId: string;
  project: string;
  spider: string;
  versionRequested: string | null;
  settings: [string, string][];
  args: [string, string][];
  priority: number;
  createdAt: number;
  /** Normalized (sorted, unique). */
  tags: string[];
  /** The schedule whose fire made it. */
  scheduleId?: string | null;
  /** Its own run limits (JSON-serializable), or null. */
  policy?: object | null;
  /** Its unique key (policy uniqueArgs), or null. */
  uniqueKey?: string | null;
}

/** Filters of the REST job list. */
export interface JobFilter {
  project?: string;
  spider?: string;
  states?: JobStateColumn[];
  nodeId?: string;
  outcome?: string;
  /** Jobs that require this tag. */
  tag?: string;
  /** The time `since` (inclusive) and `until` (exclusive) bound, both epoch ms. */
  timeField?: 'created_at' | 'started_at' | 'ended_at';
  since?: number;
  until?: number;
}

/** Pending jobs that share tags, project and spider share a placement verdict. */
export interface PendingClass {
  tags: string;
  project: string;
  spider: string;
}

export interface FinishInfo {
  endedAt: number;
  startedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  outcome: string;
  reason: string | null;
}

export function createJobsRepo(db: Db) {
  return { ...jobQueue(db), ...jobLifecycle(db), ...jobReads(db) };
}
export type JobsRepo = ReturnType<typeof createJobsRepo>;
