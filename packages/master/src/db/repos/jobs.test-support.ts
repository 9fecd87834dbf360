/** Test fixtures for what reads the jobs table: a job that ran and finished, committed without any event. */
import assert from 'node:assert/strict';
import type { JobsRepo } from './jobs.js';

export async function insertFinishedJob(
  jobs: JobsRepo,
  j: { runId: string; jobId: string; project: string; spider?: string; outcome: string; endedAt: number },
): Promise<void> {
  await jobs.insertPending({
    runId: j.runId,
    jobId: j.jobId,
    project: j.project,
    spider: j.spider ?? 's',
    versionRequested: null,
    settings: [],
    args: [],
    priority: 0,
    createdAt: j.endedAt - 2000,
    tags: [],
  });
  const row = await jobs.byRunId(j.runId);
  assert.ok(row && (await jobs.claim(row.seq, 'n1', 'v1', j.endedAt - 1000)));
  const end = { endedAt: j.endedAt, startedAt: j.endedAt - 1000, exitCode: 1, signal: null, reason: 'x' };
  assert.ok(await jobs.markFinished(j.runId, { ...end, outcome: j.outcome }, 100));
}
