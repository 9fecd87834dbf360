/**
 * The reconciliation at each handshake: which runs the agent still holds, which must stop, which it never got,
 * and where each of its log and items streams resumes.
 *
 * Run ids are looked up in batches; between batches the work yields to the event loop, so a hello of thousands of
 * runs neither holds up other agents nor outlives its connection: once the socket is gone (the agent left, or
 * the handshake timed out) the work stops. Nothing is written until every row is read, so a hello cut short
 * changes nothing.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Hello, Welcome } from '@scrapyard/protocol';
import type { JobRow } from '../../db/repos/jobs.js';
import type { AgentSession } from '../../registry/agent-session.js';
import { jobFilePath, type JobFilesConfig } from '../job-files.js';
import type { JobService } from '../job-service.js';
import type { LogSink } from '../log-sink.js';
import type { SessionBounds } from './session-bounds.js';

/** Run ids of a hello looked up per query. */
export const HELLO_BATCH = 200;

export interface HelloReconcileDeps {
  jobs: Pick<JobService, 'byRunIds' | 'resume' | 'lose'>;
  /** Rows of a node's running jobs. */
  runningOnNode: (nodeId: string) => Promise<JobRow[]>;
  bounds: SessionBounds;
  sink: LogSink;
  files: JobFilesConfig;
  log: Logger;
}

export type WelcomeReconciliation = Pick<Welcome, 'resume' | 'cancel'>;

export async function reconcileHello(
  d: HelloReconcileDeps,
  session: AgentSession,
  hello: Hello,
): Promise<WelcomeReconciliation> {
  const ids = [...new Set([...hello.known, ...hello.running.map((r) => r.runId)])];
  /** The connection is gone: nothing more is read or written for it (no welcome will be sent). */
  const abandoned = (done: number): WelcomeReconciliation => {
    d.log.info(
      { nodeId: session.nodeId, reconciled: done, runs: ids.length },
      'agent hello: the connection closed during reconciliation; stopped',
    );
    return { resume: [], cancel: [] };
  };
  // The rows of the runs the agent names, shared by the steps below; other nodes' runs are dropped here.
  const rows = new Map<string, JobRow | undefined>();
  for (let i = 0; i < ids.length; i += HELLO_BATCH) {
    if (i > 0) await nextTurn();
    if (session.closed) return abandoned(i);
    const batch = ids.slice(i, i + HELLO_BATCH);
    const found = new Map((await d.jobs.byRunIds(batch)).map((r) => [r.run_id, r]));
    for (const runId of batch) {
      const row = found.get(runId);
      if (!row || d.bounds.ownRun(session, row, 'hello')) rows.set(runId, row);
    }
  }
  if (session.closed) return abandoned(ids.length);
  const cancel: Welcome['cancel'] = [];
  // Runs the agent holds alive that we gave up on: a lost run whose job was not requeued runs again; one
  // whose job was requeued (its run id no longer exists) or that finished otherwise must stop.
  for (const r of hello.running) {
    if (session.closed) return abandoned(ids.length);
    if (!rows.has(r.runId)) continue; // another node's run: refused above
    const row = rows.get(r.runId);
    if (row?.state === 'finished' && row.outcome === 'lost' && (await d.jobs.resume(row, session.nodeId))) {
      rows.set(r.runId, { ...row, state: 'running' });
    } else if (!row || row.state === 'finished') {
      d.log.warn({ runId: r.runId, nodeId: session.nodeId }, 'agent runs a run that was requeued or ended: killing it');
      cancel.push({ runId: r.runId, signal: 'SIGKILL' });
    }
  }
  if (session.closed) return abandoned(ids.length);
  for (const row of await d.runningOnNode(session.nodeId)) {
    if (session.closed) return abandoned(ids.length);
    if (!rows.has(row.run_id)) {
      // It never started there (e.g. the assign was lost in a crash), so retrying costs nothing.
      await d.jobs.lose(row, `agent ${session.nodeId} has no record of this run`, {
        countAttempt: false,
        always: true,
      });
      continue;
    }
    // Cancels it missed while away are re-sent by the job service once it is online (and confirmed).
    session.addRun(row.run_id);
  }
  return { resume: resumeOffsets(d, rows), cancel };
}

/** Where each stream of the runs resumes: the size of its file here (0 when the stream isn't kept). */
function resumeOffsets(
  d: Pick<HelloReconcileDeps, 'files' | 'sink'>,
  rows: Map<string, JobRow | undefined>,
): Welcome['resume'] {
  const resume: Welcome['resume'] = [];
  for (const [runId, row] of rows) {
    if (!row) continue;
    for (const stream of ['log', 'items'] as const) {
      const path = jobFilePath(d.files, stream, row.project, row.spider, row.job_id);
      resume.push({ runId, stream, offset: path ? d.sink.size(path) : 0 });
      if (path && row.state === 'finished') d.sink.close(path);
    }
  }
  return resume;
}
