import { z } from 'zod';
import { EpochMs, JobId, NodeId, ProjectName, RunId, SpiderName, Tag } from '../primitives.js';
import { HostMetrics } from '../ws/agent-to-master.js';
import { EnrollmentKey, EnrollmentSecret } from './agent.js';
import { JobStatsSummary } from './job-stats.js';

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
export const NodeList = z.object({ nodes: z.array(NodeInfo) });
export type NodeList = z.infer<typeof NodeList>;
/** GET /api/v1/nodes/:id/metrics: the node's host samples, oldest first. */
export const NodeMetrics = z.object({ nodeId: NodeId, samples: z.array(HostMetrics) });
export type NodeMetrics = z.infer<typeof NodeMetrics>;

const runLimit = (max: number) => z.number().int().min(1).max(max).nullable();
/**
 * Run limits of a job: stopped (the cancel signal, then SIGKILL after `killGraceSeconds`) once it has run
 * `maxRunSeconds` (outcome `timed_out`), or made no progress (no new log or items bytes, requests or items) for
 * `stallSeconds` (outcome `stalled`). Null: inherit (project < spider < job); unset everywhere: no limit.
 */
/** Outcomes a retry policy may name. */
export const RetryableOutcome = z.enum(['failed', 'timed_out', 'stalled', 'lost']);
export type RetryableOutcome = z.infer<typeof RetryableOutcome>;
const RunLimitFields = {
  maxRunSeconds: runLimit(366 * 86_400),
  stallSeconds: runLimit(30 * 86_400),
  killGraceSeconds: runLimit(3_600),
  /** Outcomes after which the job runs again (while attempts are left); default `["lost"]`. */
  retryOn: z.array(RetryableOutcome).max(4).nullable(),
  /** First retry's delay; each next one doubles, up to the maximum; ±20 % jitter. Defaults 10 s and 600 s. */
  retryBackoffSeconds: z.number().int().min(0).max(86_400).nullable(),
  retryBackoffMaxSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .nullable(),
  /**
   * A unique key: the spider and these arguments; a second pending or running job with the same key is refused
   * (409 DUPLICATE_JOB). `[]`: the spider alone. Null: inherit (default none).
   */
  uniqueArgs: z.array(z.string().min(1).max(1_000)).max(32).nullable(),
};
const retriesField = z.number().int().min(0).max(100).nullable();

/** The policy a job itself carries (from its schedule, or the REST submit): wins over the spider's and project's. */
export const JobPolicyOverride = z
  .object({ ...RunLimitFields, retries: retriesField })
  .partial()
  .strict();
export type JobPolicyOverride = z.infer<typeof JobPolicyOverride>;

/** The run limits in force for a job, after project < spider < job; null: none. */
export const EffectivePolicy = z.object({
  maxRunSeconds: z.number().int().nullable(),
  stallSeconds: z.number().int().nullable(),
  killGraceSeconds: z.number().int(),
  /** Times the job runs again after an outcome in `retryOn`. */
  retries: z.number().int(),
  retryOn: z.array(RetryableOutcome),
  retryBackoffSeconds: z.number().int(),
  retryBackoffMaxSeconds: z.number().int(),
  uniqueArgs: z.array(z.string()).nullable(),
});
export type EffectivePolicy = z.infer<typeof EffectivePolicy>;

/** The fields of a project's or spider's policy; null means "inherit". */
const PolicyFields = {
  tags: z.array(Tag).max(32).nullable(),
  maxRunning: z.number().int().min(1).max(1_000_000).nullable(),
  retries: retriesField,
  maxRunSeconds: RunLimitFields.maxRunSeconds,
  stallSeconds: RunLimitFields.stallSeconds,
  killGraceSeconds: RunLimitFields.killGraceSeconds,
  retryOn: RunLimitFields.retryOn,
  retryBackoffSeconds: RunLimitFields.retryBackoffSeconds,
  retryBackoffMaxSeconds: RunLimitFields.retryBackoffMaxSeconds,
  uniqueArgs: RunLimitFields.uniqueArgs,
  /** At most `count` job starts per `periodSeconds` for the project (or spider), beside the running cap. */
  startRate: z
    .object({ count: z.number().int().min(1).max(10_000), periodSeconds: z.number().int().min(1).max(86_400) })
    .strict()
    .nullable(),
};

/**
 * Defaults of a project or of one spider: tags jobs get, running-job cap, retries of lost jobs, and run limits.
 * As a PUT body it replaces the stored policy whole: a field left out is null (inherit).
 */
export const PlacementPolicy = z
  .object({
    tags: PolicyFields.tags.default(null),
    maxRunning: PolicyFields.maxRunning.default(null),
    retries: PolicyFields.retries.default(null),
    maxRunSeconds: PolicyFields.maxRunSeconds.default(null),
    stallSeconds: PolicyFields.stallSeconds.default(null),
    killGraceSeconds: PolicyFields.killGraceSeconds.default(null),
    retryOn: PolicyFields.retryOn.default(null),
    retryBackoffSeconds: PolicyFields.retryBackoffSeconds.default(null),
    retryBackoffMaxSeconds: PolicyFields.retryBackoffMaxSeconds.default(null),
    uniqueArgs: PolicyFields.uniqueArgs.default(null),
    startRate: PolicyFields.startRate.default(null),
  })
  .strict();
export type PlacementPolicy = z.infer<typeof PlacementPolicy>;

/** A policy with nothing set: every field inherits. */
export const NO_POLICY: Readonly<PlacementPolicy> = Object.freeze(PlacementPolicy.parse({}));

/** A PATCH body: the fields given replace the stored ones (null: back to inherit), the others are kept. */
export const PlacementPolicyPatch = z.object(PolicyFields).partial().strict();
export type PlacementPolicyPatch = z.infer<typeof PlacementPolicyPatch>;

export const JobInfo = z.object({
  id: JobId,
  runId: RunId,
  project: ProjectName,
  spider: SpiderName,
  state: z.enum(['pending', 'running', 'finished']),
  /** The version asked for (null: the latest at launch) and the one launched (null until it starts). */
  versionRequested: z.string().nullable(),
  version: z.string().nullable(),
  args: z.record(z.string(), z.string()),
  settings: z.record(z.string(), z.string()),
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
  /** The schedule whose fire made the job, or null. */
  scheduleId: z.string().nullable(),
  /** Its run limits (project < spider < job). */
  policy: EffectivePolicy,
  /** The crawl's latest Scrapy stats (items, requests, responses, errors, finish reason), null before any arrive. */
  stats: JobStatsSummary.nullable(),
});
export type JobInfo = z.infer<typeof JobInfo>;

/** An earlier run of a job: lost (its node went away or never had it) and requeued as the next attempt. */
export const JobAttempt = z.object({
  attempt: z.number().int().positive(),
  runId: RunId,
  nodeId: NodeId.nullable(),
  startedAt: EpochMs.nullable(),
  endedAt: EpochMs,
  outcome: z.string(),
  reason: z.string().nullable(),
  /** That run's last Scrapy stats (see GET /api/v1/jobs/:jobId/stats for the current run's whole snapshot). */
  stats: JobStatsSummary.nullable(),
});
export type JobAttempt = z.infer<typeof JobAttempt>;

/** One job with all its attempts: the earlier ones, then the current run (the job itself). */
export const JobDetail = JobInfo.extend({ attempts: z.array(JobAttempt) });
export type JobDetail = z.infer<typeof JobDetail>;

/** A page of jobs, newest first; pass `nextCursor` as `cursor` for the next page (null: no more). */
export const JobPage = z.object({ jobs: z.array(JobInfo), nextCursor: z.string().nullable() });
export type JobPage = z.infer<typeof JobPage>;

/** Most spider arguments or settings one job may carry (the Scrapyd API's `max_schedule_params` applies too). */
const PARAM_KEY = z.string().min(1).max(1_000);
const PARAM_VALUE = z.string().max(65_536);

/** POST /api/v1/jobs: what schedule.json does, in JSON. */
export const SubmitJobRequest = z
  .object({
    project: ProjectName,
    spider: SpiderName,
    /** A version as uploaded (`1.0`), or absent for the latest at launch. */
    version: z.string().min(1).max(200).optional(),
    jobId: JobId.optional(),
    priority: z.number().finite().default(0),
    args: z.record(PARAM_KEY, PARAM_VALUE).default({}),
    settings: z.record(PARAM_KEY, PARAM_VALUE).default({}),
    /** Tags an agent must all have; absent: the spider's or project's policy. */
    tags: z.array(Tag).max(32).optional(),
    /** Run limits of this job (win over the spider's and project's). */
    policy: JobPolicyOverride.optional(),
  })
  .strict();
export type SubmitJobRequest = z.infer<typeof SubmitJobRequest>;

/** POST /api/v1/jobs/:jobId/cancel. The second cancel of a running job kills it. */
export const CancelJobRequest = z
  .object({
    project: ProjectName,
    /** Scrapyd's names (INT by default) or a signal number. */
    signal: z.union([z.enum(['HUP', 'INT', 'KILL', 'STOP', 'TERM']), z.number().int().min(1).max(64)]).optional(),
  })
  .strict();
export type CancelJobRequest = z.infer<typeof CancelJobRequest>;

export const CancelJobResponse = z.object({
  id: JobId,
  project: ProjectName,
  previousState: z.enum(['pending', 'running']),
});
export type CancelJobResponse = z.infer<typeof CancelJobResponse>;

export const JobMetricSample = z.object({ at: EpochMs, cpuPercent: z.number(), rssBytes: z.number() });
export type JobMetricSample = z.infer<typeof JobMetricSample>;
/** GET /api/v1/jobs/:jobId/metrics: the run's resource samples. */
export const JobMetrics = z.object({ samples: z.array(JobMetricSample) });
