/**
 * Applies what agents report: job transitions (idempotently, so replays after a reconnect are harmless), log and
 * items chunks, and the reconciliation at each handshake (which runs the agent still holds, where each stream
 * should resume, which cancels it missed).
 */
import type { Logger } from 'pino';
import type { Heartbeat, Hello, JobEvents, LogChunk, Welcome } from '@scrapyard/protocol';
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
  /** Declares a run lost (requeueing it per policy, or always). */
  loseRun: (row: JobRow, reason: string, o: { countAttempt: boolean; always?: boolean }) => Promise<void>;
  /** Host and job metrics carried by a heartbeat. */
  onMetrics: (session: AgentSession, hb: Heartbeat) => void;
}

export interface AgentEventHandlers extends GatewayHandlers {
  /** A run id stopped existing (its job was requeued under a new one). */
  forget(runId: string): void;
}

export function createAgentEventHandlers(d: AgentEventsDeps): AgentEventHandlers {
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
  // Scrapy creates its log and feed when the crawl starts, so Scrapyd lists log_url and items_url for a running
  // job at once: create them here (empty until the first bytes arrive), through the sink so offsets stay right.
  const openFiles = (row: JobRow) => {
    for (const stream of ['log', 'items'] as const) {
      const path = jobFilePath(d.files, stream, row.project, row.spider, row.job_id);
      if (path) d.sink.size(path);
    }
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
      // Runs the agent holds alive that we gave up on: a lost run whose job was not requeued runs again; one
      // whose job was requeued (its run id no longer exists) or that finished otherwise must stop.
      // One lookup per run the agent holds, shared by the steps below.
      const rows = new Map<string, JobRow | undefined>();
      for (const runId of known) rows.set(runId, await d.jobs.byRunId(runId));
      for (const r of hello.running) {
        const row = rows.get(r.runId);
        if (row?.state === 'finished' && row.outcome === 'lost' && (await d.jobs.resurrect(r.runId, session.nodeId))) {
          rows.set(r.runId, { ...row, state: 'running' });
          log.warn({ runId: r.runId, jobId: row.job_id, nodeId: session.nodeId }, 'lost run is back: running again');
        } else if (!row || row.state === 'finished') {
          log.warn(
            { runId: r.runId, nodeId: session.nodeId },
            'agent runs a run that was requeued or ended: killing it',
          );
          cancel.push({ runId: r.runId, signal: 'SIGKILL' });
        }
      }
      for (const row of await d.jobs.runningOnNode(session.nodeId)) {
        if (!known.has(row.run_id)) {
          // It never started there (e.g. the assign was lost in a crash), so retrying costs nothing.
          await d.loseRun(row, `agent ${session.nodeId} has no record of this run`, {
            countAttempt: false,
            always: true,
          });
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
      for (const [runId, row] of rows) {
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
          // Files first: whoever sees the pid also sees log_url and items_url.
          const known = await jobOf(event.runId);
          if (known?.state === 'running') openFiles(known);
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

    onHeartbeat(session: AgentSession, hb: Heartbeat): void {
      if (hb.host || hb.jobs) d.onMetrics(session, hb);
    },

    forget(runId: string): void {
      cache.delete(runId);
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
