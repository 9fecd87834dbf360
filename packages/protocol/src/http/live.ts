/**
 * The live event stream of the web UI: `GET /api/v1/events` (server-sent events; docs/cluster.md, "Live events").
 *
 * Each message is `id: <epoch>-<seq>`, `event: <type>`, `data: <JSON>`. The domain events a page needs are
 * `LiveEvent`s (one variant per type, `type` repeated in the data); three control messages frame them: `ready`
 * (the stream is live from its id on), `reset` (what was missed can't be replayed: reload the view, then go on
 * from its id) and `end` (the stream is over for good: the caller's access is gone). No variant carries a secret:
 * a job's arguments and settings appear by name only.
 */
import { z } from 'zod';
import type { LIVE_EVENT_TYPES } from '../live-types.js';
import { EpochMs } from '../primitives.js';
import { HostMetrics } from '../ws/agent-to-master.js';
import { JobOutcome } from '../ws/jobs.js';
import { NodeKind } from './api.js';
import { AuditEntry } from './audit.js';

/** The families `?types=` narrows the stream to (default: all). */
export const LIVE_FAMILIES = ['job', 'stats', 'node', 'alert', 'schedule', 'audit'] as const;
export const LiveFamily = z.enum(LIVE_FAMILIES);
export type LiveFamily = z.infer<typeof LiveFamily>;

/** `<epoch>-<seq>`: the epoch names one master process's stream (a restart changes it), seq counts its events. */
export const LiveEventId = z.string().regex(/^[0-9a-z]{1,16}-\d{1,15}$/, 'must be <epoch>-<seq>');

const Job = {
  at: EpochMs,
  jobId: z.string(),
  runId: z.string(),
  project: z.string(),
  spider: z.string(),
};

export const LiveJobQueued = z.object({
  type: z.literal('job.queued'),
  ...Job,
  priority: z.number(),
  tags: z.array(z.string()),
  attempt: z.number().int(),
  scheduleId: z.string().nullable(),
  /** Names only: values may be secrets. */
  argNames: z.array(z.string()),
  settingNames: z.array(z.string()),
});
export const LiveJobStarted = z.object({
  type: z.literal('job.started'),
  ...Job,
  nodeId: z.string(),
  pid: z.number().int(),
  attempt: z.number().int(),
});
export const LiveJobFinished = z.object({
  type: z.literal('job.finished'),
  ...Job,
  nodeId: z.string().nullable(),
  attempt: z.number().int(),
  outcome: JobOutcome,
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  startedAt: EpochMs.nullable(),
  endedAt: EpochMs,
});
export const LiveJobCancelled = z.object({
  type: z.literal('job.cancelled'),
  ...Job,
  previousState: z.enum(['pending', 'running']),
  signal: z.string().nullable(),
  why: z.enum(['cancelled', 'project deleted']),
});
export const LiveJobRequeued = z.object({
  type: z.literal('job.requeued'),
  ...Job,
  previousRunId: z.string(),
  attempt: z.number().int(),
  reason: z.string(),
});
/** A running crawl's counters: at most one a second per run on the stream, and always its final one. */
export const LiveJobStats = z.object({
  type: z.literal('job.stats'),
  ...Job,
  nodeId: z.string(),
  final: z.boolean(),
  sampledAt: EpochMs,
  items: z.number(),
  requests: z.number(),
  responses: z.number(),
  errors: z.number(),
  finishReason: z.string().nullable(),
});
export const LiveNodeOnline = z.object({
  type: z.literal('node.online'),
  at: EpochMs,
  nodeId: z.string(),
  kind: NodeKind,
});
export const LiveNodeOffline = z.object({
  type: z.literal('node.offline'),
  at: EpochMs,
  nodeId: z.string(),
  kind: NodeKind,
  lastSeen: EpochMs,
});
export const LiveNodeCordoned = z.object({
  type: z.literal('node.cordoned'),
  at: EpochMs,
  nodeId: z.string(),
  cordoned: z.boolean(),
});
export const LiveNodeRevoked = z.object({ type: z.literal('node.revoked'), at: EpochMs, nodeId: z.string() });
export const LiveAlertChanged = z.object({
  type: z.literal('alert.changed'),
  at: EpochMs,
  alertId: z.string(),
  ruleId: z.string(),
  ruleKind: z.string(),
  /** The rule's project; null: a rule of every project or of nodes (only `*` readers see it). */
  project: z.string().nullable(),
  subject: z.string(),
  state: z.enum(['pending', 'firing', 'resolved']),
});
export const LiveScheduleFired = z.object({
  type: z.literal('schedule.fired'),
  at: EpochMs,
  scheduleId: z.string(),
  project: z.string(),
  scheduledAt: EpochMs,
  trigger: z.enum(['cron', 'manual', 'misfire', 'backfill']),
  status: z.enum(['queued', 'waiting', 'skipped', 'failed']),
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  jobId: z.string().nullable(),
});

/** A node's host sample as the master stored it (at most one every couple of seconds per node on the stream). */
export const LiveNodeHost = z.object({
  type: z.literal('node.host'),
  at: EpochMs,
  nodeId: z.string(),
  sample: HostMetrics,
});
/** An entry the audit log recorded, as GET /api/v1/audit lists it (admins only: it names users and addresses). */
export const LiveAuditAppended = z.object({
  type: z.literal('audit.appended'),
  at: EpochMs,
  entry: AuditEntry,
});

export const LiveEvent = z.discriminatedUnion('type', [
  LiveJobQueued,
  LiveJobStarted,
  LiveJobFinished,
  LiveJobCancelled,
  LiveJobRequeued,
  LiveJobStats,
  LiveNodeOnline,
  LiveNodeOffline,
  LiveNodeCordoned,
  LiveNodeRevoked,
  LiveAlertChanged,
  LiveScheduleFired,
  LiveNodeHost,
  LiveAuditAppended,
]);
export type LiveEvent = z.infer<typeof LiveEvent>;
export type LiveEventType = LiveEvent['type'];
// The schemas and the zod-free list (live-types.ts) name the same types: a compile error here names the odd one.
type Unlisted = Exclude<LiveEventType, (typeof LIVE_EVENT_TYPES)[number]>;
type Unknown = Exclude<(typeof LIVE_EVENT_TYPES)[number], LiveEventType>;
const sameTypes: [Unlisted | Unknown] extends [never] ? true : Unlisted | Unknown = true;
void sameTypes;

/** `event: ready`: the stream is live; `resumed`: what was missed since the Last-Event-ID follows first. */
export const LiveReady = z.object({ resumed: z.boolean() });
export type LiveReady = z.infer<typeof LiveReady>;
/**
 * `event: reset`: the events since the client's id can't be replayed (`restarted`: another master process;
 * `too-old`: beyond the ring; `too-many`: more than the stream would queue; `too-slow`: the client fell behind and
 * the stream closes). The client reloads its view and goes on from the reset's id.
 */
export const LiveResetReason = z.enum(['restarted', 'too-old', 'unknown', 'too-many', 'too-slow']);
export const LiveReset = z.object({ reason: LiveResetReason });
export type LiveReset = z.infer<typeof LiveReset>;
/** `event: end`: the caller's access is gone (a revoked token, a disabled user, an ended session): don't reconnect. */
export const LiveEnd = z.object({ reason: z.literal('access-gone') });
export type LiveEnd = z.infer<typeof LiveEnd>;

/** The query of GET /api/v1/events; `lastEventId` stands in for the header when a client can't set one. */
export const LiveEventsQuery = z
  .object({
    types: z
      .string()
      .max(200)
      .transform((s) => s.split(',').filter((x) => x !== ''))
      .pipe(z.array(LiveFamily).min(1))
      .optional(),
    /** Any text: an id this stream did not give (malformed, another master's) is answered with `reset`. */
    lastEventId: z.string().max(64).optional(),
  })
  .strict();
export type LiveEventsQuery = z.infer<typeof LiveEventsQuery>;
