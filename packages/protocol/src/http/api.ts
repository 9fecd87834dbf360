import { z } from 'zod';
import { EpochMs, JobId, NodeId, ProjectName, RunId, SpiderName, Tag } from '../primitives.js';
import { HostMetrics } from '../ws/agent-to-master.js';
import { EnrollmentKey, EnrollmentSecret } from './agent.js';

/** Bodies of the master's own REST API under /api/v1 (see packages/master/API.md). */

export const CreateEnrollmentRequest = z
  .object({
    /** Node id the enrolling agent will get (else it picks its own). Re-enrolling an existing node replaces its secret. */
    nodeId: NodeId.optional(),
    /** Lifetime of the key; 15 minutes by default, 24 hours at most. */
    ttlSeconds: z.number().int().min(10).max(86_400).default(900),
  })
  .strict();
export type CreateEnrollmentRequest = z.infer<typeof CreateEnrollmentRequest>;

export const EnrollmentResponse = z.object({
  key: EnrollmentKey,
  secret: EnrollmentSecret,
  /** `<key>.<secret>`, what `scrapyard-agent register --token` takes. */
  token: z.string(),
  nodeId: NodeId.nullable(),
  expiresAt: EpochMs,
});
export type EnrollmentResponse = z.infer<typeof EnrollmentResponse>;

export const NodeKind = z.enum(['permanent', 'temporary', 'embedded']);
export type NodeKind = z.infer<typeof NodeKind>;

export const NodeInfo = z.object({
  nodeId: NodeId,
  kind: NodeKind,
  online: z.boolean(),
  revoked: z.boolean(),
  cordoned: z.boolean(),
  dedicated: z.boolean(),
  tags: z.array(Tag),
  slots: z.number().int().nonnegative(),
  running: z.number().int().nonnegative(),
  address: z.string().nullable(),
  hostname: z.string().nullable(),
  agentVersion: z.string().nullable(),
  lastSeen: EpochMs.nullable(),
  createdAt: EpochMs.nullable(),
  /** Latest host metrics, when the node sent any. */
  host: HostMetrics.nullable(),
});
export type NodeInfo = z.infer<typeof NodeInfo>;

/** Placement defaults of a project or of one spider: tags jobs get, running-job cap, retries of lost jobs. */
export const PlacementPolicy = z
  .object({
    tags: z.array(Tag).max(32).nullable().default(null),
    maxRunning: z.number().int().min(1).max(1_000_000).nullable().default(null),
    retries: z.number().int().min(0).max(100).nullable().default(null),
  })
  .strict();
export type PlacementPolicy = z.infer<typeof PlacementPolicy>;

export const JobInfo = z.object({
  id: JobId,
  runId: RunId,
  project: ProjectName,
  spider: SpiderName,
  state: z.enum(['pending', 'running', 'finished']),
  nodeId: NodeId.nullable(),
  tags: z.array(Tag),
  priority: z.number(),
  attempt: z.number().int().positive(),
  /** Why a pending job is not running yet (`no online agent has tags [gpu]`), else null. */
  pendingReason: z.string().nullable(),
  /** Node unreachable: the job is running as far as we know, but its node is offline. */
  unreachable: z.boolean(),
  pid: z.number().int().nullable(),
  outcome: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  createdAt: EpochMs,
  startedAt: EpochMs.nullable(),
  endedAt: EpochMs.nullable(),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const JobMetricSample = z.object({ at: EpochMs, cpuPercent: z.number(), rssBytes: z.number() });
export type JobMetricSample = z.infer<typeof JobMetricSample>;
