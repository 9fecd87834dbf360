/** A run's new id and the reference a domain event carries for a job row. */
import { randomUUID } from 'node:crypto';
import type { JobRow } from '../db/repos/jobs.js';
import type { JobRef } from '../events/domain-events.js';

export function newRunId(): string {
  return randomUUID().replaceAll('-', '');
}

export const refOf = (row: JobRow): JobRef => ({
  jobId: row.job_id,
  runId: row.run_id,
  project: row.project,
  spider: row.spider,
});
