/**
 * What the web UI's pages read besides jobs one by one: the job list's query, the dashboard's overview, projects
 * with their versions and spiders (docs/ui-data.md). Query schemas take the strings of a query string.
 */
import { z } from 'zod';
import { EpochMs, NodeId, ProjectName, SpiderName, Tag } from '../primitives.js';
import { JobOutcome } from '../ws/jobs.js';
import { QueryTime } from './audit.js';
import { TimeZone } from './schedules.js';

const CURSOR = 'must be a cursor from a previous page';

/** A page's `nextCursor`: the last job's arrival number, base64url (opaque to clients). */
export const JobCursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,16}$/, CURSOR)
  .transform((c, ctx) => {
    let seq = NaN;
    try {
      seq = Number(atob(c.replace(/-/g, '+').replace(/_/g, '/')));
    } catch {
      // not base64: refused below
    }
    if (!Number.isSafeInteger(seq) || seq <= 0) {
      ctx.addIssue({ code: 'custom', message: CURSOR });
      return z.NEVER;
    }
    return seq;
  });

export const JOB_STATES = ['pending', 'running', 'finished'] as const;

/** The timestamp `since` and `until` bound: when the job was queued (default), started or ended. */
export const JobTimeField = z.enum(['created', 'started', 'ended']);
export type JobTimeField = z.infer<typeof JobTimeField>;

/** GET /api/v1/jobs: every filter is ANDed; newest first; `cursor` is the previous page's `nextCursor`. */
export const JobListQuery = z
  .object({
    project: ProjectName.optional(),
    spider: SpiderName.optional(),
    /** One state or several, comma-separated. */
    state: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(JOB_STATES)).min(1))
      .optional(),
    nodeId: NodeId.optional(),
    outcome: JobOutcome.optional(),
    /** Jobs that require this tag. */
    tag: Tag.optional(),
    /** Bounds on `time` (epoch ms or ISO 8601): since inclusive, until exclusive. */
    since: QueryTime.optional(),
    until: QueryTime.optional(),
    time: JobTimeField.default('created'),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
    cursor: JobCursor.optional(),
  })
  .strict();
export type JobListQuery = z.output<typeof JobListQuery>;

/** GET /api/v1/overview?tz=Europe/Paris: "today" is the calendar day in this zone (default UTC). */
export const OverviewQuery = z.object({ tz: TimeZone.default('UTC') }).strict();
export type OverviewQuery = z.output<typeof OverviewQuery>;

/** The dashboard's counters, over the projects the caller may read. */
export const Overview = z.object({
  /** Node and slot figures span every project: null unless the caller reads every project. */
  nodes: z
    .object({
      online: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
      slotsUsed: z.number().int().nonnegative(),
      slotsFree: z.number().int().nonnegative(),
    })
    .nullable(),
  jobs: z.object({
    pending: z.number().int().nonnegative(),
    running: z.number().int().nonnegative(),
    /** Jobs that ended today: all of them, and those whose outcome is neither succeeded nor cancelled. */
    finishedToday: z.number().int().nonnegative(),
    failedToday: z.number().int().nonnegative(),
    /** The same jobs by outcome. */
    outcomesToday: z.record(z.string(), z.number().int().nonnegative()),
  }),
  /** Alerts firing now (node alerts only for readers of every project). */
  alertsFiring: z.number().int().nonnegative(),
  /** The day counted: [dayStart, dayEnd) in epoch ms, and its zone. */
  day: z.object({ tz: z.string(), start: EpochMs, end: EpochMs }),
  at: EpochMs,
});
export type Overview = z.infer<typeof Overview>;

export const ProjectVersion = z.object({
  /** As stored (Scrapyd's sanitized name: `1.0` → `1_0`). */
  name: z.string(),
  uploadedAt: EpochMs,
  size: z.number().int().nonnegative(),
  /** Its spiders (`scrapy list`), null while not known. */
  spiders: z.array(SpiderName).nullable(),
});
export type ProjectVersion = z.infer<typeof ProjectVersion>;

export const ProjectInfo = z.object({
  name: ProjectName,
  /** Oldest first, the latest last (Scrapyd's order). */
  versions: z.array(ProjectVersion),
  /** The spiders of the latest version ([] when none is known). */
  spiders: z.array(SpiderName),
  /** From the [settings] section of the config (no eggs), else null. */
  settingsModule: z.string().nullable(),
});
export type ProjectInfo = z.infer<typeof ProjectInfo>;
export const ProjectList = z.object({ projects: z.array(ProjectInfo) });
export type ProjectList = z.infer<typeof ProjectList>;

/** POST /api/v1/projects/:project/versions?version=1.0 (the egg: raw body, or the `egg` part of a multipart form). */
export const AddVersionQuery = z.object({ version: z.string().min(1).max(200).optional() }).strict();
export const AddVersionResponse = z.object({
  project: ProjectName,
  version: z.string(),
  spiders: z.array(SpiderName),
});
export type AddVersionResponse = z.infer<typeof AddVersionResponse>;

export const DeleteVersionResponse = z.object({
  project: ProjectName,
  version: z.string(),
  /** The last version went: the project is gone too (its pending jobs with it). */
  projectGone: z.boolean(),
});
export type DeleteVersionResponse = z.infer<typeof DeleteVersionResponse>;
