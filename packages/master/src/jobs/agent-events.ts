/**
 * Applies what agents report: job transitions (idempotently, so replays after a reconnect are harmless), log and
 * items chunks, heartbeats, and the reconciliation at each handshake (which runs the agent still holds and
 * where each stream should resume). Job state changes go through the JobService.
 *
 * A node acts only on its own runs: every message that names a run (events, chunks, per-job metrics, the runs of
 * its hello) is checked against the node the run is assigned to. Anything about another node's run is refused
 * and logged, and changes nothing: no state, no byte, no metric, and no file offset is revealed.
 * What a node sends is bounded: heartbeats per second, timestamps near the master's clock, job samples, and each
 * job's log and items size (a job over the cap is stopped and fails for that reason).
 *
 * This file routes each message; the parts with state live in agent-events/: session bounds (ownership,
 * heartbeat rate, clock), the run lookup, the reconciliation at hello and the output intake.
 */
import type { Logger } from 'pino';
import type { Heartbeat, Hello, JobEvents, JobStats, LogChunk, Welcome } from '@scrapyard/protocol';
import type { JobRow } from '../db/repos/jobs.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { GatewayHandlers } from '../gateway/ws-gateway.js';
import type { AgentSession } from '../registry/agent-session.js';
import { reconcileHello } from './agent-events/hello-reconcile.js';
import { OutputIntake } from './agent-events/output-intake.js';
import { RunLookup } from './agent-events/run-lookup.js';
import { SessionBounds } from './agent-events/session-bounds.js';
import type { JobFilesConfig } from './job-files.js';
import type { JobService } from './job-service.js';
import type { LogSink } from './log-sink.js';

export interface AgentEventsDeps {
  jobs: JobService;
  /** Rows of a node's running jobs (reconciliation at its handshake). */
  runningOnNode: (nodeId: string) => Promise<JobRow[]>;
  sink: LogSink;
  files: JobFilesConfig;
  events: DomainEvents;
  /** Largest log or items file of one job; a job that outgrows it is stopped. */
  maxJobOutputBytes: number;
  logger: Logger;
  now: () => number;
  /** Host and per-job metrics of a heartbeat, already bounded and filtered to the node's own runs. */
  onMetrics: (session: AgentSession, hb: Heartbeat) => void;
  /** A crawl's Scrapy stats, about one of the node's own runs (jobs/live-stats.ts); absent: ignored. */
  onStats?: (row: JobRow, nodeId: string, msg: JobStats) => Promise<void>;
}

export function createAgentEventHandlers(d: AgentEventsDeps): GatewayHandlers {
  const log = d.logger.child({ component: 'agent-events' });
  const bounds = new SessionBounds({ log, now: d.now });
  const runs = new RunLookup({ jobs: d.jobs, events: d.events });
  const output = new OutputIntake({ ...d, runs, bounds });

  return {
    prepareWelcome(session: AgentSession, hello: Hello): Promise<Pick<Welcome, 'resume' | 'cancel'>> {
      return reconcileHello({ ...d, bounds, log }, session, hello);
    },

    async onEvents(session: AgentSession, msg: JobEvents): Promise<number> {
      let upTo = 0;
      for (const { seq, event } of msg.events) {
        upTo = Math.max(upTo, seq);
        const row = bounds.ownRun(session, await runs.get(event.runId), `job ${event.kind}`);
        if (!row) continue; // unknown (requeued meanwhile, or trimmed) or another node's: acknowledged, ignored
        if (event.kind === 'started') {
          await d.jobs.started(row, event.pid, event.startedAt);
          continue;
        }
        session.removeRun(event.runId);
        await d.jobs.finish(row, {
          endedAt: event.endedAt,
          startedAt: event.startedAt,
          exitCode: event.exitCode,
          signal: event.signal,
          outcome: event.outcome,
          reason: event.reason,
        });
      }
      return upTo;
    },

    onHeartbeat(session: AgentSession, hb: Heartbeat): void {
      const admitted = bounds.admitHeartbeat(session, hb);
      if (admitted) d.onMetrics(session, admitted);
    },

    async onStats(session: AgentSession, msg: JobStats): Promise<void> {
      if (!d.onStats) return;
      const row = bounds.ownRun(session, await runs.get(msg.runId), 'job stats');
      if (!row) return; // unknown (requeued, trimmed) or another node's: nothing stored, nothing revealed
      await d.onStats(row, session.nodeId, msg);
    },

    onLogChunk: (session: AgentSession, chunk: LogChunk) => output.onLogChunk(session, chunk),
  };
}
