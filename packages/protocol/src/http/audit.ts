/**
 * GET /api/v1/audit: who did what, newest first (admin only). Filters are ANDed; pass an answer's `nextCursor` as
 * `before` for the next page (null: no more).
 */
import { z } from 'zod';
import { ProjectName } from '../primitives.js';

/** Who acted: the principal kinds of a request, and `system` for what the master does by itself. */
export const AUDIT_ACTOR_KINDS = [
  'system',
  'anonymous',
  'scrapyd-user',
  'admin',
  'user',
  'token',
  'node',
  'metrics-scraper',
] as const;
export const AuditActorKind = z.enum(AUDIT_ACTOR_KINDS);
export type AuditActorKind = z.infer<typeof AuditActorKind>;

export const AuditActor = z.object({
  kind: z.string(),
  /** The user, token or node id; null for the built-in admin, the admin token and the system. */
  id: z.string().nullable(),
  /** The user, token or built-in user's name; null when the kind says it all. */
  name: z.string().nullable(),
});
export type AuditActor = z.infer<typeof AuditActor>;

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.number().int(),
  actor: AuditActor,
  /** `<thing>.<verb>`: `job.schedule`, `version.deploy`, `webhook.update`, `user.create`, `login.failed`, … */
  action: z.string(),
  /** What it acted on: a job id, a version, a node, a schedule or webhook id, a user name. */
  target: z.string().nullable(),
  project: z.string().nullable(),
  /** What changed: names, fields, counts; never a secret (arguments and settings by name only). */
  summary: z.record(z.string(), z.unknown()),
  /** The client's address; null for what the master did by itself. */
  address: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** A time: epoch milliseconds or an ISO 8601 date. */
export const QueryTime = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const ms = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO 8601 date' });
      return z.NEVER;
    }
    return ms;
  });

/** An action, or a prefix of actions ending with `.` (`user.`: every user action). */
export const AuditActionFilter = z
  .string()
  .regex(/^[a-z][a-z0-9.-]{0,63}$/, 'expected an action like job.schedule, or a prefix like user.');

export const AuditQuery = z
  .object({
    /** The actor's name (a user, a token, the built-in user). */
    actor: z.string().min(1).max(200).optional(),
    actorKind: AuditActorKind.optional(),
    action: AuditActionFilter.optional(),
    project: ProjectName.optional(),
    since: QueryTime.optional(),
    until: QueryTime.optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
  })
  .strict();
export type AuditQuery = z.output<typeof AuditQuery>;

export const AuditPage = z.object({ entries: z.array(AuditEntry), nextCursor: z.number().int().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;
