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
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import {
  HANDSHAKE_MAX_SKEW_MS,
  type Heartbeat,
  type Hello,
  type JobEvents,
  type JobStats,
  type LogChunk,
  type Welcome,
} from '@scrapyard/protocol';
import type { JobRow } from '../db/repos/jobs.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { GatewayHandlers } from '../gateway/ws-gateway.js';
import type { AgentSession } from '../registry/agent-session.js';
import { jobFilePath, type JobFilesConfig } from './job-files.js';
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

/** Heartbeats a node may send per second on average (it sends one every few seconds), and the burst allowed. */
const HEARTBEATS_PER_SECOND = 1;
const HEARTBEAT_BURST = 5;
/**
 * Run ids of a hello looked up per query. Between batches the reconciliation yields to the event loop, so a
 * hello of thousands of runs neither holds up other agents nor outlives its connection: once the socket is gone
 * (the agent left, or the handshake timed out) the work stops.
 */
const HELLO_BATCH = 200;
/** How long a job over its output cap gets to stop after the polite signal before it is killed. */
const STOP_GRACE_MS = 30_000;

export function createAgentEventHandlers(d: AgentEventsDeps): GatewayHandlers {
  const log = d.logger.child({ component: 'agent-events' });
  // Job identity by run id for the chunks of running jobs (one lookup per run, not per chunk).
  const cache = new Map<string, JobRow>();
  // Runs stopped for their output size: when, so a crawl that ignores the polite signal is killed later.
  const stopping = new Map<string, number>();
  const forget = (runId: string) => {
    cache.delete(runId);
    stopping.delete(runId);
  };
  d.events.on('job.finished', (e) => forget(e.job.runId));
  d.events.on('job.requeued', (e) => forget(e.previousRunId));
  d.events.on('job.resumed', (e) => forget(e.job.runId));

  const jobOf = async (runId: string) => {
    let row = cache.get(runId);
    if (!row) {
      row = await d.jobs.byRunId(runId);
      if (row && row.state !== 'finished') cache.set(runId, row);
    }
    return row;
  };

  // Refusals are logged once per node, run and kind of message, so a misbehaving node can't flood the log.
  const refused = new WeakMap<AgentSession, Set<string>>();
  /** The run if it is this node's; otherwise undefined, and the refusal is logged (unknown runs are not). */
  const ownRun = (session: AgentSession, row: JobRow | undefined, what: string): JobRow | undefined => {
    if (!row || row.node_id === session.nodeId) return row;
    let seen = refused.get(session);
    if (!seen) refused.set(session, (seen = new Set()));
    const key = `${row.run_id} ${what}`;
    if (!seen.has(key) && seen.size < 10_000) {
      seen.add(key);
      log.warn(
        { nodeId: session.nodeId, runId: row.run_id, ownerNodeId: row.node_id, what },
        'refused: a node named a run assigned to another node',
      );
    }
    return undefined;
  };

  const buckets = new WeakMap<AgentSession, { tokens: number; at: number }>();
  /** Token bucket per session: false when the node sends heartbeats faster than any agent would. */
  const heartbeatAllowed = (session: AgentSession): boolean => {
    const now = d.now();
    const b = buckets.get(session) ?? { tokens: HEARTBEAT_BURST, at: now };
    b.tokens = Math.min(HEARTBEAT_BURST, b.tokens + ((now - b.at) / 1000) * HEARTBEATS_PER_SECOND);
    b.at = now;
    buckets.set(session, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
  /** A node's clock is trusted only near ours: far-off sample times are replaced by the time of receipt. */
  const clamp = (at: number) => (Math.abs(at - d.now()) > HANDSHAKE_MAX_SKEW_MS ? d.now() : at);

  return {
    async prepareWelcome(session: AgentSession, hello: Hello): Promise<Pick<Welcome, 'resume' | 'cancel'>> {
      const resume: Welcome['resume'] = [];
      const cancel: Welcome['cancel'] = [];
      const ids = [...new Set([...hello.known, ...hello.running.map((r) => r.runId)])];
      /** The connection is gone: nothing more is read or written for it (no welcome will be sent). */
      const abandoned = (done: number) => {
        log.info(
          { nodeId: session.nodeId, reconciled: done, runs: ids.length },
          'agent hello: the connection closed during reconciliation; stopped',
        );
        return { resume: [], cancel: [] };
      };
      // The rows of the runs the agent names, in batches, shared by the steps below; other nodes' runs are
      // dropped here. Nothing is written until every row is read, so a hello cut short changes nothing.
      const rows = new Map<string, JobRow | undefined>();
      for (let i = 0; i < ids.length; i += HELLO_BATCH) {
        if (i > 0) await nextTurn();
        if (session.closed) return abandoned(i);
        const batch = ids.slice(i, i + HELLO_BATCH);
        const found = new Map((await d.jobs.byRunIds(batch)).map((r) => [r.run_id, r]));
        for (const runId of batch) {
          const row = found.get(runId);
          if (!row || ownRun(session, row, 'hello')) rows.set(runId, row);
        }
      }
      if (session.closed) return abandoned(ids.length);
      // Runs the agent holds alive that we gave up on: a lost run whose job was not requeued runs again; one
      // whose job was requeued (its run id no longer exists) or that finished otherwise must stop.
      for (const r of hello.running) {
        if (session.closed) return abandoned(ids.length);
        if (!rows.has(r.runId)) continue; // another node's run: refused above
        const row = rows.get(r.runId);
        if (row?.state === 'finished' && row.outcome === 'lost' && (await d.jobs.resume(row, session.nodeId))) {
          rows.set(r.runId, { ...row, state: 'running' });
        } else if (!row || row.state === 'finished') {
          log.warn(
            { runId: r.runId, nodeId: session.nodeId },
            'agent runs a run that was requeued or ended: killing it',
          );
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
        session.runs.add(row.run_id);
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
        const row = ownRun(session, await jobOf(event.runId), `job ${event.kind}`);
        if (!row) continue; // unknown (requeued meanwhile, or trimmed) or another node's: acknowledged, ignored
        if (event.kind === 'started') {
          await d.jobs.started(row, event.pid, event.startedAt);
          continue;
        }
        session.runs.delete(event.runId);
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
      if (!hb.host && !hb.jobs) return;
      if (!heartbeatAllowed(session)) return;
      // Copies only what must change (thousands of heartbeats a second: no garbage for the common case).
      const at = clamp(hb.at);
      const host = hb.host && clamp(hb.host.at) !== hb.host.at ? { ...hb.host, at: clamp(hb.host.at) } : hb.host;
      const jobs =
        hb.jobs && (hb.jobs.length > session.slots || hb.jobs.some((j) => !session.runs.has(j.runId)))
          ? hb.jobs.filter((j) => session.runs.has(j.runId)).slice(0, Math.max(1, session.slots))
          : hb.jobs;
      d.onMetrics(session, at === hb.at && host === hb.host && jobs === hb.jobs ? hb : { ...hb, at, host, jobs });
    },

    async onStats(session: AgentSession, msg: JobStats): Promise<void> {
      if (!d.onStats) return;
      const row = ownRun(session, await jobOf(msg.runId), 'job stats');
      if (!row) return; // unknown (requeued, trimmed) or another node's: nothing stored, nothing revealed
      await d.onStats(row, session.nodeId, msg);
    },

    async onLogChunk(session: AgentSession, chunk: LogChunk): Promise<void> {
      const data = Buffer.from(chunk.data, 'base64');
      const end = chunk.offset + data.length;
      const row = ownRun(session, await jobOf(chunk.runId), `${chunk.stream} chunk`);
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
        await overCap(row, chunk.stream);
      } else {
        const before = d.sink.size(path);
        next = d.sink.write(path, chunk.offset, data);
        // Progress, for stall detection (run-limits.ts); replays of bytes already written are not.
        if (next > before && cache.has(chunk.runId)) {
          d.events.publish({ type: 'job.output', runId: chunk.runId, stream: chunk.stream, end: next });
        }
      }
      if (!cache.has(chunk.runId)) d.sink.close(path); // a finished run's late bytes: don't keep its file open
      session.send('log.ack', { runId: chunk.runId, stream: chunk.stream, offset: next });
    },
  };

  /** A job whose log or items outgrew the cap: asked to stop, then killed if it keeps writing. */
  async function overCap(row: JobRow, stream: string): Promise<void> {
    if (row.state !== 'running') return;
    const since = stopping.get(row.run_id);
    if (since === undefined) {
      stopping.set(row.run_id, d.now());
      const reason = `its ${stream} exceeded max_job_output_bytes (${d.maxJobOutputBytes} bytes); stopped by the master`;
      await d.jobs.stop(row, 'SIGTERM', reason);
    } else if (d.now() - since > STOP_GRACE_MS) {
      stopping.set(row.run_id, d.now());
      await d.jobs.stop(row, 'SIGKILL');
    }
  }
}
