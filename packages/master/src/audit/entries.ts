/**
 * Which domain events the audit log records, and how each reads as an entry: an action (`<thing>.<verb>`), its
 * target and project, a summary (names and facts, never a secret: redact.ts checks again), and who acted. The
 * actor is the request that caused the event (auth/request-context.ts), or the system when none did: a schedule's
 * timer, an agent's report, the alert engine.
 */
import type { RequestContext } from '../auth/request-context.js';
import type { EventType, Published } from '../events/domain-events.js';

export interface AuditEntryDraft {
  at: number;
  actor: { kind: string; id: string | null; name: string | null };
  action: string;
  target: string | null;
  project: string | null;
  summary: Record<string, unknown>;
  address: string | null;
}

export const AUDITED_EVENTS = [
  'job.queued',
  'job.cancelled',
  'version.added',
  'version.deleted',
  'node.enrollment',
  'node.registered',
  'node.rotated',
  'node.revoked',
  'node.cordoned',
  'schedule.fired',
  'access.changed',
  'access.login',
  'config.changed',
] as const satisfies readonly EventType[];
export type AuditedEvent = Published<(typeof AUDITED_EVENTS)[number]>;

type EntryActor = AuditEntryDraft['actor'];
export const SYSTEM: EntryActor = Object.freeze({ kind: 'system', id: null, name: null });
const ANONYMOUS: EntryActor = Object.freeze({ kind: 'anonymous', id: null, name: null });

/** `created` → `create`: entries say what was done, as a command would. */
const VERB: Record<string, string> = {
  created: 'create',
  updated: 'update',
  deleted: 'delete',
  'password-changed': 'passwd',
  disabled: 'disable',
  enabled: 'enable',
  granted: 'grant',
  revoked: 'revoke',
};

type Fields = Pick<AuditEntryDraft, 'action' | 'target' | 'project' | 'summary'> & {
  /** Who acted when the request context does not say (or when the event does). */
  actor?: AuditEntryDraft['actor'];
  address?: string | null;
};

/** The entry an event makes, or null when it is not audited (a cron fire's `schedule.fired`, a purge's cancel). */
export function auditEntryOf(e: AuditedEvent, ctx: RequestContext | undefined): AuditEntryDraft | null {
  const f = fieldsOf(e, ctx);
  if (f === null) return null;
  return {
    at: e.at,
    actor: f.actor ?? ctx?.actor ?? SYSTEM,
    action: f.action,
    target: f.target,
    project: f.project,
    summary: f.summary,
    address: f.address !== undefined ? f.address : (ctx?.address ?? null),
  };
}

const onNode = (action: string, target: string | null, summary: Record<string, unknown> = {}): Fields => ({
  action,
  target,
  project: null,
  summary,
});

function fieldsOf(e: AuditedEvent, ctx: RequestContext | undefined): Fields | null {
  switch (e.type) {
    case 'job.queued': {
      const scheduled = e.scheduleId !== undefined && e.scheduleId !== null;
      return {
        action: 'job.schedule',
        target: e.job.jobId,
        project: e.job.project,
        summary: {
          spider: e.job.spider,
          via: scheduled ? 'schedule' : 'request',
          ...(scheduled ? { schedule: e.scheduleId } : {}),
          priority: e.priority,
          args: e.argNames ?? [],
          settings: e.settingNames ?? [],
        },
        // A schedule's job is the schedule's doing, even when a request (a cancel draining its queue, a run-now
        // recorded as `schedule.run`) set it off.
        ...(scheduled ? { actor: SYSTEM, address: null } : {}),
      };
    }
    case 'job.cancelled':
      if (e.why !== 'cancelled') return null;
      return {
        action: 'job.cancel',
        target: e.job.jobId,
        project: e.job.project,
        summary: { spider: e.job.spider, previousState: e.previousState, signal: e.signal },
      };
    case 'version.added':
      return {
        action: 'version.deploy',
        target: e.version,
        project: e.project,
        summary: { spiders: e.spiders.length },
      };
    case 'version.deleted':
      return {
        action: 'version.delete',
        target: e.version,
        project: e.project,
        summary: { projectGone: e.projectGone },
      };
    case 'node.enrollment':
      return onNode('node.enroll', e.nodeId, { enrollKey: e.enrollKey, expiresAt: e.expiresAt });
    case 'node.registered':
      // The caller proved itself with the enrollment key alone: it is the node.
      return {
        ...onNode('node.register', e.nodeId, { enrollKey: e.enrollKey, again: e.again }),
        actor: { kind: 'node', id: e.nodeId, name: null },
      };
    case 'node.rotated':
      return onNode('node.rotate', e.nodeId);
    case 'node.revoked':
      return onNode('node.revoke', e.nodeId);
    case 'node.cordoned':
      return onNode(e.cordoned ? 'node.cordon' : 'node.uncordon', e.nodeId);
    case 'schedule.fired':
      if (e.trigger !== 'manual') return null;
      return {
        action: 'schedule.run',
        target: e.scheduleId,
        project: null,
        summary: { status: e.status, jobId: e.jobId, reason: e.reasonCode },
      };
    case 'access.changed':
      return {
        action: `${e.entity}.${VERB[e.change] ?? e.change}`,
        target: e.name,
        project: null,
        summary: { id: e.id, ...(e.userId !== null && e.userId !== e.id ? { userId: e.userId } : {}), ...e.summary },
      };
    case 'access.login': {
      const target = e.username.slice(0, 200);
      return {
        action: e.ok ? 'login.ok' : 'login.failed',
        target,
        project: null,
        summary: { via: e.via, ...(e.reason !== null ? { reason: e.reason } : {}) },
        // A refused login is nobody yet; an accepted one is the user it named (its request is still anonymous).
        actor: !e.ok
          ? ANONYMOUS
          : ctx && ctx.actor.kind !== 'anonymous'
            ? ctx.actor
            : { kind: 'user', id: null, name: target },
        address: e.address,
      };
    }
    case 'config.changed':
      return {
        action: `${e.entity}.${VERB[e.change] ?? e.change}`,
        target: e.id,
        project: e.project,
        summary: e.summary,
      };
  }
}
