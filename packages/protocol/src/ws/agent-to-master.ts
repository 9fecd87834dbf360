import { z } from 'zod';
import { HELLO_MAX_RUNS } from '../constants.js';
import { EpochMs, FreeText, NodeId, RunId, Tag } from '../primitives.js';
import type { Catalog } from './catalog.js';
import { heartbeatAsIs } from './heartbeat-as-is.js';
import { JobStats } from './job-stats.js';
import { JobEvent, Stream } from './jobs.js';

/** What the agent reports about a job it believes is running, so the master can reconcile after a reconnect. */
export const RunningJobReport = z.object({ runId: RunId, pid: z.number().int().positive(), startedAt: EpochMs });

/** Hex nonce of one side of the handshake: 32 random bytes, fresh per connection. */
export const HandshakeNonce = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * First frame from the agent: who it claims to be and its own nonce. It reveals nothing else until the master has
 * proved it holds the node's key (`master.proof`).
 */
export const Identify = z.object({
  nodeId: NodeId,
  protocolVersion: z.number().int().positive(),
  /** A temporary node (no registration): authenticates with the cluster's shared temporary-node secret. */
  temporary: z.boolean().default(false),
  nonce: HandshakeNonce,
});
export type Identify = z.infer<typeof Identify>;

/** Second frame from the agent, sent only once the master's proof checked out: its own proof, and the node. */
export const Hello = z.object({
  agentVersion: FreeText(64),
  /** Epoch ms on the agent's clock; part of the MAC input, so an old handshake can't be replayed. */
  timestamp: EpochMs,
  /** hex proof of the node secret over both nonces, the node id and the timestamp (see handshake.ts). */
  mac: z.string().regex(/^[0-9a-f]{64}$/),
  /** Takes only jobs whose tags it matches (jobs without tags never land here). */
  dedicated: z.boolean().default(false),
  hostname: FreeText(255),
  slots: z.number().int().positive().max(10_000),
  tags: z.array(Tag).max(64),
  running: z.array(RunningJobReport).max(HELLO_MAX_RUNS),
  /**
   * Every run the agent holds that the master may not have heard the end of (running, or finished with events
   * or stream bytes not yet acknowledged). A run the master thinks is on this node but that is not listed here
   * was never recorded by the agent: the master marks it lost.
   */
  known: z.array(RunId).max(HELLO_MAX_RUNS),
});
export type Hello = z.infer<typeof Hello>;

/** Host metrics sampled by the agent (systeminformation); rates are per second since the previous sample. */
export const HostMetrics = z.object({
  at: EpochMs,
  /** CPU busy, percent of all cores (0–100). */
  cpuPercent: z.number().min(0).max(100),
  cpus: z.number().int().positive(),
  load1: z.number().nonnegative(),
  load5: z.number().nonnegative(),
  load15: z.number().nonnegative(),
  memUsedBytes: z.number().nonnegative(),
  memTotalBytes: z.number().nonnegative(),
  /** The file system holding the agent's data dir. */
  diskUsedBytes: z.number().nonnegative(),
  diskTotalBytes: z.number().nonnegative(),
  netRxBytesPerSec: z.number().nonnegative(),
  netTxBytesPerSec: z.number().nonnegative(),
});
export type HostMetrics = z.infer<typeof HostMetrics>;

/** One crawl's resource use (pidusage); cpu in percent of one core. */
export const JobMetric = z.object({
  runId: RunId,
  cpuPercent: z.number().nonnegative(),
  rssBytes: z.number().nonnegative(),
});
export type JobMetric = z.infer<typeof JobMetric>;

export const Heartbeat = z.object({
  running: z.number().int().nonnegative(),
  at: EpochMs,
  /** Present every metrics interval (a few seconds); absent when sampling failed or is switched off. */
  host: HostMetrics.optional(),
  jobs: z.array(JobMetric).max(10_000).optional(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

/** A batch of job transitions; `seq` numbers are the agent's outbox sequence, acknowledged by `events.ack`. */
export const JobEvents = z.object({
  events: z
    .array(z.object({ seq: z.number().int().positive(), event: JobEvent }))
    .min(1)
    .max(1_000),
});
export type JobEvents = z.infer<typeof JobEvents>;

/** A slice of a job's log or items file starting at byte `offset`; `data` is base64. */
export const LogChunk = z.object({
  runId: RunId,
  stream: Stream,
  offset: z.number().int().nonnegative(),
  data: z.string(),
});
export type LogChunk = z.infer<typeof LogChunk>;

export const SpiderListReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), spiders: z.array(z.string()) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type SpiderListReply = z.infer<typeof SpiderListReply>;

export const CancelReply = z.object({ found: z.boolean() });
export type CancelReply = z.infer<typeof CancelReply>;

/** The agent's answer to `credential.rotate`: ok once the new secret is safely on its disk. */
export const RotateReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type RotateReply = z.infer<typeof RotateReply>;

export const AgentToMaster = {
  identify: { message: Identify },
  hello: { message: Hello },
  heartbeat: { message: Heartbeat, asIs: heartbeatAsIs },
  'job.events': { message: JobEvents },
  'log.chunk': { message: LogChunk },
  'job.stats': { message: JobStats },
} as const satisfies Catalog;
export type AgentToMaster = typeof AgentToMaster;
