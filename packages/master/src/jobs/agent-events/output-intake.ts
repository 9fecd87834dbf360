/**
 * Log and items chunks from agents, written at their offsets into the job files, each acknowledged with where the
 * stream resumes. A job's output is capped: a job over the cap is asked to stop, then killed if it keeps writing.
 */
import type { LogChunk } from '@scrapyard/protocol';
import type { JobRow } from '../../db/repos/jobs.js';
import type { DomainEvents } from '../../events/domain-events.js';
import type { AgentSession } from '../../registry/agent-session.js';
import { jobFilePath, type JobFilesConfig } from '../job-files.js';
import type { JobService } from '../job-service.js';
import type { LogSink } from '../log-sink.js';
import { onRunGone, type RunLookup } from './run-lookup.js';
import type { SessionBounds } from './session-bounds.js';

/** How long a job over its output cap gets to stop after the polite signal before it is killed. */
export const STOP_GRACE_MS = 30_000;

export interface OutputIntakeDeps {
  jobs: Pick<JobService, 'stop'>;
  runs: RunLookup;
  bounds: SessionBounds;
  sink: LogSink;
  files: JobFilesConfig;
  events: DomainEvents;
  /** Largest log or items file of one job; a job that outgrows it is stopped. */
  maxJobOutputBytes: number;
  now: () => number;
}

export class OutputIntake {
  /** Runs stopped for their output size: when, so a crawl that ignores the polite signal is killed later. */
  readonly #stopping = new Map<string, number>();
  readonly #d: OutputIntakeDeps;

  constructor(d: OutputIntakeDeps) {
    this.#d = d;
    onRunGone(d.events, (runId) => this.#stopping.delete(runId));
  }

  async onLogChunk(session: AgentSession, chunk: LogChunk): Promise<void> {
    const d = this.#d;
    const data = Buffer.from(chunk.data, 'base64');
    const end = chunk.offset + data.length;
    const row = d.bounds.ownRun(session, await d.runs.get(chunk.runId), `${chunk.stream} chunk`);
    const path = row ? jobFilePath(d.files, chunk.stream, row.project, row.spider, row.job_id) : null;
    if (!row || !path) {
      // A stream nobody keeps (logs disabled, run unknown or not this node's) is acknowledged as read, so the
      // agent can drop it; the ack only echoes the chunk's own end, revealing nothing.
      session.send('log.ack', { runId: chunk.runId, stream: chunk.stream, offset: end });
      return;
    }
    let next: number;
    if (end > d.maxJobOutputBytes) {
      const room = Math.max(0, d.maxJobOutputBytes - chunk.offset);
      if (room > 0) d.sink.write(path, chunk.offset, data.subarray(0, room));
      next = end; // the rest is dropped
      await this.#overCap(row, chunk.stream);
    } else {
      const before = d.sink.size(path);
      next = d.sink.write(path, chunk.offset, data);
      // Progress, for stall detection (run-limits.ts); replays of bytes already written are not.
      if (next > before && d.runs.isLive(chunk.runId)) {
        d.events.publish({ type: 'job.output', runId: chunk.runId, stream: chunk.stream, end: next });
      }
    }
    if (!d.runs.isLive(chunk.runId)) d.sink.close(path); // a finished run's late bytes: don't keep its file open
    session.send('log.ack', { runId: chunk.runId, stream: chunk.stream, offset: next });
  }

  /** A job whose log or items outgrew the cap: asked to stop, then killed if it keeps writing. */
  async #overCap(row: JobRow, stream: string): Promise<void> {
    if (row.state !== 'running') return;
    const d = this.#d;
    const since = this.#stopping.get(row.run_id);
    if (since === undefined) {
      this.#stopping.set(row.run_id, d.now());
      const reason = `its ${stream} exceeded max_job_output_bytes (${d.maxJobOutputBytes} bytes); stopped by the master`;
      await d.jobs.stop(row, 'SIGTERM', reason);
    } else if (d.now() - since > STOP_GRACE_MS) {
      this.#stopping.set(row.run_id, d.now());
      await d.jobs.stop(row, 'SIGKILL');
    }
  }
}
