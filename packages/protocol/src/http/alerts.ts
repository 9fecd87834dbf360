import { z } from 'zod';
import { EpochMs, NodeId, ProjectName, SpiderName } from '../primitives.js';

/** Bodies of /api/v1/alert-rules and /api/v1/alerts (docs/alerts.md). */

const Name = z.string().trim().min(1).max(100);
const Scope = {
  /** Absent: every project. */
  project: ProjectName.nullable().optional(),
  /** Only with a project. */
  spider: SpiderName.nullable().optional(),
};
const Percent = z.number().min(0).max(100);

/** Outcomes a job_outcome rule can watch (a succeeded run is what resolves it). */
export const WATCHED_OUTCOMES = ['failed', 'timed_out', 'stalled', 'lost', 'start_failed', 'cancelled'] as const;
export const ScheduleFireProblem = z.enum(['missed', 'skipped', 'failed']);
export type ScheduleFireProblem = z.infer<typeof ScheduleFireProblem>;
export const HostResource = z.enum(['cpu', 'memory', 'disk']);
export type HostResource = z.infer<typeof HostResource>;

export const NodeOfflineCondition = z
  .object({
    kind: z.literal('node_offline'),
    /** Absent: every registered node and the embedded agent (temporary nodes come and go by design). */
    node: NodeId.nullable().optional(),
  })
  .strict();
export const NodeResourceCondition = z
  .object({
    kind: z.literal('node_resource'),
    node: NodeId.nullable().optional(),
    resource: HostResource,
    /** Holds while the node's latest sample is above this share of the resource (percent). */
    abovePercent: Percent,
  })
  .strict();
export const JobOutcomeCondition = z
  .object({
    kind: z.literal('job_outcome'),
    ...Scope,
    outcomes: z.array(z.enum(WATCHED_OUTCOMES)).min(1).max(WATCHED_OUTCOMES.length),
  })
  .strict();
export const JobItemsCondition = z
  .object({
    kind: z.literal('job_items'),
    ...Scope,
    /** Holds when a finished run scraped fewer items than this. */
    minItems: z.number().int().min(1).max(1e12).optional(),
    /** Holds when a finished run scraped fewer than this percent of the median of its baseline runs. */
    minPercentOfMedian: z.number().gt(0).max(1_000).optional(),
    /** The baseline: the last K succeeded runs of the same spider with the same arguments. */
    baselineRuns: z.number().int().min(1).max(100).default(5),
  })
  .strict();
export const JobErrorsCondition = z
  .object({
    kind: z.literal('job_errors'),
    ...Scope,
    /** Holds when a finished run logged more ERROR and CRITICAL records than this. */
    maxErrors: z.number().int().min(0).max(1e12).optional(),
    /** An HTTP status (`404`) or class (`5xx`), with `maxStatusPercent`. */
    httpStatus: z
      .string()
      .regex(/^[1-5](\d\d|xx)$/, 'must be an HTTP status like 404 or a class like 5xx')
      .optional(),
    /** Holds when more than this percent of a run's responses had `httpStatus`. */
    maxStatusPercent: Percent.optional(),
  })
  .strict();
export const ScheduleFireCondition = z
  .object({
    kind: z.literal('schedule_fire'),
    /** Absent: every schedule. */
    schedule: z.string().min(1).max(64).nullable().optional(),
    on: z.array(ScheduleFireProblem).min(1).max(3).default(['missed', 'skipped', 'failed']),
  })
  .strict();

export const ALERT_RULE_KINDS = [
  'node_offline',
  'node_resource',
  'job_outcome',
  'job_items',
  'job_errors',
  'schedule_fire',
] as const;
export const AlertRuleKind = z.enum(ALERT_RULE_KINDS);
export type AlertRuleKind = z.infer<typeof AlertRuleKind>;

export const AlertCondition = z
  .discriminatedUnion('kind', [
    NodeOfflineCondition,
    NodeResourceCondition,
    JobOutcomeCondition,
    JobItemsCondition,
    JobErrorsCondition,
    ScheduleFireCondition,
  ])
  .superRefine((c, ctx) => {
    if ('spider' in c && c.spider && !c.project) {
      ctx.addIssue({ code: 'custom', path: ['spider'], message: 'a spider needs its project' });
    }
    if (c.kind === 'job_items' && c.minItems === undefined && c.minPercentOfMedian === undefined) {
      ctx.addIssue({ code: 'custom', path: ['minItems'], message: 'set minItems, minPercentOfMedian or both' });
    }
    if (c.kind === 'job_errors') {
      if ((c.httpStatus === undefined) !== (c.maxStatusPercent === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['httpStatus'], message: 'httpStatus and maxStatusPercent go together' });
      }
      if (c.maxErrors === undefined && c.httpStatus === undefined) {
        ctx.addIssue({ code: 'custom', path: ['maxErrors'], message: 'set maxErrors, httpStatus or both' });
      }
    }
  });
export type AlertCondition = z.infer<typeof AlertCondition>;

/** Seconds: at most 30 days. */
const Seconds = z
  .number()
  .int()
  .min(0)
  .max(30 * 86_400);

const ChannelIds = z.array(z.string().min(1).max(64)).max(20);

const RuleFields = {
  name: Name,
  condition: AlertCondition,
  /** Channel ids notified; none: the alert is only recorded (API, metrics). */
  channels: ChannelIds.default([]),
  /** How long the condition must hold before the alert fires (pending until then). */
  forSeconds: Seconds.default(0),
  /** While it holds, the notice repeats this often; null: never. */
  repeatSeconds: Seconds.min(1).nullable().default(14_400),
  /** Send a message when a firing alert resolves. */
  sendResolved: z.boolean().default(true),
  enabled: z.boolean().default(true),
};

export const CreateAlertRuleRequest = z.object(RuleFields).strict();
export type CreateAlertRuleRequest = z.infer<typeof CreateAlertRuleRequest>;
export const UpdateAlertRuleRequest = z
  .object({
    name: Name.optional(),
    condition: AlertCondition.optional(),
    channels: ChannelIds.optional(),
    forSeconds: Seconds.optional(),
    repeatSeconds: Seconds.min(1).nullable().optional(),
    sendResolved: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type UpdateAlertRuleRequest = z.infer<typeof UpdateAlertRuleRequest>;

export const AlertRule = z.object({
  id: z.string(),
  name: z.string(),
  condition: AlertCondition,
  channels: z.array(z.string()),
  forSeconds: z.number().int(),
  repeatSeconds: z.number().int().nullable(),
  sendResolved: z.boolean(),
  enabled: z.boolean(),
  /** No notice of this rule's alerts is sent before this time. */
  mutedUntil: EpochMs.nullable(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type AlertRule = z.infer<typeof AlertRule>;
export const AlertRuleResponse = z.object({ rule: AlertRule });
export const AlertRuleList = z.object({ rules: z.array(AlertRule) });
export type AlertRuleList = z.infer<typeof AlertRuleList>;

/** Mute a rule or one alert for a period: nothing is sent until it ends (a notice still owed then is sent). */
export const MuteRequest = z
  .object({
    seconds: z
      .number()
      .int()
      .min(1)
      .max(365 * 86_400),
  })
  .strict();
export type MuteRequest = z.infer<typeof MuteRequest>;

export const AlertState = z.enum(['pending', 'firing', 'resolved']);
export type AlertState = z.infer<typeof AlertState>;

export const Alert = z.object({
  id: z.string(),
  ruleId: z.string(),
  kind: AlertRuleKind,
  /** What it is about: a node id, `project/spider` (with `?args` when the run had arguments), a schedule id. */
  subject: z.string(),
  state: AlertState,
  /** One line: what holds, e.g. `crawl failed: shop/products (job 3f2a…) on node n1`. */
  summary: z.string(),
  /** A few lines of detail: values against thresholds, job, node, outcome. */
  detail: z.string(),
  labels: z.record(z.string(), z.string()),
  /** The job's (or node's) page on the master. */
  link: z.string().nullable(),
  /** When the condition was first seen holding. */
  startedAt: EpochMs,
  firedAt: EpochMs.nullable(),
  resolvedAt: EpochMs.nullable(),
  lastNotifiedAt: EpochMs.nullable(),
  /** Notices sent while firing (the first, then each repeat). */
  notices: z.number().int(),
  mutedUntil: EpochMs.nullable(),
});
export type Alert = z.infer<typeof Alert>;
export const AlertResponse = z.object({ alert: Alert });
export const AlertPage = z.object({ alerts: z.array(Alert) });
export type AlertPage = z.infer<typeof AlertPage>;
export const AlertQuery = z.object({
  /** `active`: pending or firing. */
  state: z.enum(['pending', 'firing', 'resolved', 'active']).optional(),
  rule: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});
export type AlertQuery = z.infer<typeof AlertQuery>;
