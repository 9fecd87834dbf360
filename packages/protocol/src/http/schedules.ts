import { z } from 'zod';
import { EpochMs, JobId, ProjectName, SpiderName, Tag } from '../primitives.js';
import { JobPolicyOverride } from './api.js';

/** Bodies of /api/v1/schedules (see packages/master/API.md, "Schedules"). */

const PARAM_KEY = z.string().min(1).max(1_000);
const PARAM_VALUE = z.string().max(65_536);

/** A moment as an ISO 8601 string with its offset (`2026-03-29T01:30:00Z`) or epoch milliseconds. */
export const Instant = z.union([
  EpochMs,
  z
    .string()
    .max(64)
    .regex(/(Z|[+-]\d{2}:?\d{2})$/, 'must be an ISO 8601 time with a Z or ±hh:mm offset')
    .transform((s, ctx) => {
      const ms = Date.parse(s);
      if (Number.isNaN(ms) || ms < 0) {
        ctx.addIssue({ code: 'custom', message: `'${s}' is not a valid ISO 8601 time` });
        return z.NEVER;
      }
      return ms;
    }),
]);

/** An IANA time zone the runtime knows (`Europe/Berlin`, `UTC`). */
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as UTC or Europe/Berlin' },
  );

/** What happens to a fire while the schedule's previous job is still pending or running. */
export const OverlapPolicy = z.enum(['allow', 'forbid', 'replace', 'queue']);
export type OverlapPolicy = z.infer<typeof OverlapPolicy>;

/** What happens to fires that fell while the master was down (later than `misfireGraceSeconds`). */
export const MisfirePolicy = z.enum(['skip', 'run_once', 'backfill']);
export type MisfirePolicy = z.infer<typeof MisfirePolicy>;

/** Every field of a schedule a client sets; all but the timing, project and spider have defaults. */
const ScheduleFields = z.object({
  /** A label, unique among schedules; optional. */
  name: z.string().min(1).max(200).nullable(),
  project: ProjectName,
  spider: SpiderName,
  /** Cron expression, 5 fields (minute first) or 6 (second first); or use `intervalSeconds`. */
  cron: z.string().min(1).max(200).nullable(),
  /** Every N seconds from `startAt` (else from creation); or use `cron`. */
  intervalSeconds: z
    .number()
    .int()
    .min(1)
    .max(366 * 86_400)
    .nullable(),
  timezone: TimeZone,
  /** A version as uploaded, or null for the latest at launch. */
  version: z.string().min(1).max(200).nullable(),
  args: z.record(PARAM_KEY, PARAM_VALUE),
  settings: z.record(PARAM_KEY, PARAM_VALUE),
  /** Tags an agent must have; null: the spider's or project's policy. */
  tags: z.array(Tag).max(32).nullable(),
  priority: z.number().finite(),
  /** Each fire is delayed by up to this many seconds (the same delay for the same fire, even after a restart). */
  jitterSeconds: z.number().int().min(0).max(3_600),
  startAt: Instant.nullable(),
  endAt: Instant.nullable(),
  enabled: z.boolean(),
  overlap: OverlapPolicy,
  misfire: MisfirePolicy,
  /** A fire this late is still on time; later, it is a misfire. */
  misfireGraceSeconds: z.number().int().min(1).max(86_400),
  /** `backfill`: missed fires younger than this run… */
  backfillWindowSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400),
  /** …at most this many of them (the latest). */
  backfillMax: z.number().int().min(1).max(1_000),
  /** Run limits of the jobs this schedule starts (win over the spider's and project's); null: none. */
  policy: JobPolicyOverride.nullable(),
});

const DEFAULTS = {
  name: null,
  cron: null,
  intervalSeconds: null,
  timezone: 'UTC',
  version: null,
  args: {},
  settings: {},
  tags: null,
  priority: 0,
  jitterSeconds: 0,
  startAt: null,
  endAt: null,
  enabled: true,
  overlap: 'forbid',
  misfire: 'run_once',
  misfireGraceSeconds: 60,
  backfillWindowSeconds: 3_600,
  backfillMax: 10,
  policy: null,
} as const;

/** The fields of a complete schedule, cross-checked: exactly one of cron and interval, start before end. */
export const ScheduleSpec = ScheduleFields.superRefine((s, ctx) => {
  if ((s.cron === null) === (s.intervalSeconds === null)) {
    ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of cron and intervalSeconds' });
  }
  if (s.startAt !== null && s.endAt !== null && s.endAt <= s.startAt) {
    ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'must be after startAt' });
  }
});
export type ScheduleSpec = z.infer<typeof ScheduleSpec>;

/** POST /api/v1/schedules: a new schedule; omitted fields take their defaults. */
export const CreateScheduleRequest = ScheduleFields.partial()
  .required({ project: true, spider: true })
  .strict()
  .transform((body) => ({ ...DEFAULTS, ...body }));
export type CreateScheduleRequest = z.input<typeof CreateScheduleRequest>;

/** PATCH /api/v1/schedules/:id: the fields to change (null clears a nullable one). */
export const UpdateScheduleRequest = ScheduleFields.partial().strict();
export type UpdateScheduleRequest = z.input<typeof UpdateScheduleRequest>;

/** Why a fire did not become a job (or did, late). */
export const FireReasonCode = z.enum([
  'overlap',
  'paused',
  'misfire',
  'project_missing',
  'spider_missing',
  'version_missing',
  'refused',
  // The schedule already had max_pending_per_schedule pending jobs.
  'pending_cap',
]);

/** One fire of a schedule, keyed by its scheduled time. */
export const ScheduleFire = z.object({
  scheduleId: z.string(),
  /** The time the expression named (before jitter). */
  scheduledAt: EpochMs,
  /** When the master acted on it. */
  firedAt: EpochMs,
  trigger: z.enum(['cron', 'manual', 'misfire', 'backfill']),
  /** queued: its job was created; waiting: held behind the previous job (overlap `queue`); skipped or failed. */
  status: z.enum(['claimed', 'queued', 'waiting', 'skipped', 'failed']),
  reasonCode: FireReasonCode.nullable(),
  reason: z.string().nullable(),
  jobId: JobId.nullable(),
});
export type ScheduleFire = z.infer<typeof ScheduleFire>;

export const Schedule = z.object({
  id: z.string(),
  name: z.string().nullable(),
  project: ProjectName,
  spider: SpiderName,
  cron: z.string().nullable(),
  intervalSeconds: z.number().int().nullable(),
  timezone: z.string(),
  version: z.string().nullable(),
  args: z.record(z.string(), z.string()),
  settings: z.record(z.string(), z.string()),
  tags: z.array(Tag).nullable(),
  priority: z.number(),
  jitterSeconds: z.number().int(),
  startAt: EpochMs.nullable(),
  endAt: EpochMs.nullable(),
  enabled: z.boolean(),
  overlap: OverlapPolicy,
  misfire: MisfirePolicy,
  misfireGraceSeconds: z.number().int(),
  backfillWindowSeconds: z.number().int(),
  backfillMax: z.number().int(),
  policy: JobPolicyOverride.nullable(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  /** The next scheduled time (before jitter), or null when none is left (past endAt). */
  nextFireAt: EpochMs.nullable(),
  lastFire: ScheduleFire.nullable(),
});
export type Schedule = z.infer<typeof Schedule>;

export const ScheduleList = z.object({ schedules: z.array(Schedule) });

/** A fire time as epoch ms and as local time in the schedule's zone (`2026-10-25T02:30:00+01:00`). */
export const FireTime = z.object({ at: EpochMs, local: z.string() });
export type FireTime = z.infer<typeof FireTime>;

/** POST /api/v1/schedules/preview: the next fires of an expression before it is saved. */
export const PreviewScheduleRequest = z
  .object({
    cron: z.string().min(1).max(200).nullable().default(null),
    intervalSeconds: z
      .number()
      .int()
      .min(1)
      .max(366 * 86_400)
      .nullable()
      .default(null),
    timezone: TimeZone.default('UTC'),
    startAt: Instant.nullable().default(null),
    endAt: Instant.nullable().default(null),
    /** From this time (default now). */
    after: Instant.optional(),
    count: z.number().int().min(1).max(100).default(5),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.cron === null) === (s.intervalSeconds === null)) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of cron and intervalSeconds' });
    }
  });
export type PreviewScheduleRequest = z.input<typeof PreviewScheduleRequest>;

export const FireTimes = z.object({
  timezone: z.string(),
  /** How the timing was read, e.g. `every 30 seconds`, or each cron field named (the first of six is seconds). */
  description: z.string().optional(),
  fires: z.array(FireTime),
});

/** POST /api/v1/schedules/:id/run: "run now". */
export const RunNowResponse = z.object({ fire: ScheduleFire });

/** GET /api/v1/schedules/:id/fires: newest first; pass `nextCursor` as `before` (null: no more). */
export const FirePage = z.object({ fires: z.array(ScheduleFire), nextCursor: z.number().nullable() });
