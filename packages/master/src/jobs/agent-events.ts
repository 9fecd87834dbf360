/**
 * Applies what agents report: job transitions (idempotently, so replays after a reconnect are harmless), log and
 * items chunks, and the reconciliation at each handshake (which runs the agent still holds, where each stream
 * should resume, which cancels it missed).
 */
import type { Logger } from 'pino';
import type { Hello, JobEvents, LogChunk, Welcome } from '@scrapyard/protocol';
import type { JobRow, JobsRepo } from '../db/repos/jobs.js';
import type { GatewayHandlers } from '../gateway/ws-gateway.js';
import type { AgentSession } from '../registry/agent-session.js';
import { jobFilePath, type JobFilesConfig } from './job-files.js';
import type { LogSink } from './log-sink.js';

export interface AgentEventsDeps {
  jobs: JobsRepo;
  sink: LogSink;
  files: JobFilesConfig;
  finishedToKeep: number;
  logger: Logger;
  /** A slot freed up or the queue changed: place more jobs. */
  kick: () => void;
}

export function createAgentEventHandlers(d: AgentEventsDeps): GatewayHandlers {
  const log = d.logger.child({ component: 'agent-events' });
  // Job identity by run id, for log chunks of running jobs (one lookup per run, not per chunk).
  const cache = new Map<string, JobRow>();
  const jobOf = async (runId: string) => {
    let row = cache.get(runId);
    if (!row) {
      row = await d.jobs.byRunId(runId);
      if (row && row.state !== 'finished') cache.set(runId, row);
    }
    return row;
  };
  const closeFiles = (row: JobRow) => {
    for (const stream of ['log', 'items'] as const) {
      const path = jobFilePath(d.files, stream, row.project, row.spider, row.job_id);
      if (path) d.sink.close(path);
    }
  };

  return {
    async prepareWelcome(session: AgentSession, hello: Hello): Promise<Pick<Welcome, 'resume' | 'cancel'>> {
      const known = new Set([...hello.known, ...hello.running.map((r) => r.runId)]);
      const resume: Welcome['resume'] = [];
      const cancel: Welcome['cancel'] = [];
      for (const row of await d.jobs.runningOnNode(session.nodeId)) {
        if (!known.has(row.run_id)) {
          await d.jobs.markFinished(row.run_id, {
            endedAt: Date.now(),
            startedAt: null,
            exitCode: null,
            signal: null,
            outcome: 'lost',
            reason: `agent ${session.nodeId} has no record of this run (it restarted before starting it)`,
          });
          log.warn({ runId: row.run_id, jobId: row.job_id, nodeId: session.nodeId }, 'run lost');
          continue;
        }
        session.runs.add(row.run_id);
        if (row.cancel_count > 0 && row.cancel_signal) {
          const sig = row.cancel_signal;
          cancel.push({
            runId: row.run_id,
            signal: row.cancel_count >= 2 ? 'SIGKILL' : /^\d+$/.test(sig) ? Number(sig) : sig,
          });
        }
      }
      for (const runId of known) {
        const row = await d.jobs.byRunId(runId);
        if (!row) continue;
        for (const stream of ['log', 'items'] as const) {
          const path = jobFilePath(d.files, stream, row.project, row.spider, row.job_id);
          resume.push({ runId, stream, offset: path ? d.sink.size(path) : 0 });
          if (path && row.state === 'finished') d.sink.close(path);
        }
      }
      return { resume, cancel };
    },

    async onEvents(session: AgentSession, msg: JobEvents): Promise<number> {
      let upTo = 0;
      for (const { seq, event } of msg.events) {
        upTo = Math.max(upTo, seq);
        if (event.kind === 'started') {
          const row = await d.jobs.markStarted(event.runId, event.pid, event.startedAt);
          if (row) cache.set(event.runId, row);
          log.info({ runId: event.runId, jobId: row?.job_id, pid: event.pid, nodeId: session.nodeId }, 'job started');
          continue;
        }
        const changed = await d.jobs.markFinished(event.runId, {
          endedAt: event.endedAt,
          startedAt: event.startedAt,
          exitCode: event.exitCode,
          signal: event.signal,
          outcome: event.outcome,
          reason: event.reason,
        });
        session.runs.delete(event.runId);
        const row = cache.get(event.runId) ?? (await d.jobs.byRunId(event.runId));
        cache.delete(event.runId);
        if (row) closeFiles(row);
        if (changed) {
          log.info(
            {
              runId: event.runId,
              jobId: row?.job_id,
              outcome: event.outcome,
              exitCode: event.exitCode,
              nodeId: session.nodeId,
            },
            'job finished',
          );
          await d.jobs.trimFinished(d.finishedToKeep);
        }
      }
      d.kick();
      return upTo;
    },

    async onLogChunk(session: AgentSession, chunk: LogChunk): Promise<void> {
      const row = await jobOf(chunk.runId);
      const data = Buffer.from(chunk.data, 'base64');
      const path = row ? jobFilePath(d.files, chunk.stream, row.project, row.spider, row.job_id) : null;
      // A stream nobody keeps (logs disabled, job unknown) is acknowledged so the agent can drop it.
      const next = path ? d.sink.write(path, chunk.offset, data) : chunk.offset + data.length;
      if (path && row && !cache.has(chunk.runId)) d.sink.close(path);
      session.send('log.ack', { runId: chunk.runId, stream: chunk.stream, offset: next });
    },
  };
}
