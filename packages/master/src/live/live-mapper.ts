/**
 * Which domain events the live stream carries, and how: a `LiveEvent` (the protocol's schema, names and counts,
 * never a secret) with the family `?types=` selects and the project whose readers may see it (null: only readers of
 * every project, e.g. node events; or admins only: the audit log). Everything else (output chunks, access,
 * deliveries, config) stays inside, but for what the audit log records of it.
 */
import type { LiveEvent, LiveFamily } from '@scrapyard/protocol';
import { LIVE_EVENT_TYPES } from '@scrapyard/protocol/live-types';
import type { JobRef, Published } from '../events/domain-events.js';

export interface Mapped {
  event: LiveEvent;
  family: LiveFamily;
  /** Readers of this project see it; null: readers of every project only. */
  project: string | null;
  /** Only principals who may `admin` see it (the audit log names users, addresses, tokens). */
  adminOnly?: true;
}

/** The domain event types the stream subscribes to: the live event types, one for one. */
export const LIVE_SOURCE_TYPES = LIVE_EVENT_TYPES;
export type LiveSourceType = (typeof LIVE_SOURCE_TYPES)[number];

const job = (j: JobRef, at: number) => ({
  at,
  jobId: j.jobId,
  runId: j.runId,
  project: j.project,
  spider: j.spider,
});
const ofJob = (event: LiveEvent & { project: string }, family: LiveFamily = 'job'): Mapped => ({
  event,
  family,
  project: event.project,
});
const ofNode = (event: LiveEvent): Mapped => ({ event, family: 'node', project: null });

export function toLive(e: Published<LiveSourceType>): Mapped {
  switch (e.type) {
    case 'job.queued':
      return ofJob({
        type: e.type,
        ...job(e.job, e.at),
        priority: e.priority,
        tags: e.tags,
        attempt: e.attempt,
        scheduleId: e.scheduleId ?? null,
        argNames: e.argNames ?? [],
        settingNames: e.settingNames ?? [],
      });
    case 'job.started':
      return ofJob({ type: e.type, ...job(e.job, e.at), nodeId: e.nodeId, pid: e.pid, attempt: e.attempt });
    case 'job.finished':
      return ofJob({
        type: e.type,
        ...job(e.job, e.at),
        nodeId: e.nodeId,
        attempt: e.attempt,
        outcome: e.outcome,
        exitCode: e.exitCode,
        reason: e.reason,
        startedAt: e.startedAt,
        endedAt: e.endedAt,
      });
    case 'job.cancelled':
      return ofJob({
        type: e.type,
        ...job(e.job, e.at),
        previousState: e.previousState,
        signal: e.signal,
        why: e.why,
      });
    case 'job.requeued':
      return ofJob({
        type: e.type,
        ...job(e.job, e.at),
        previousRunId: e.previousRunId,
        attempt: e.attempt,
        reason: e.reason,
      });
    case 'job.stats':
      return ofJob(
        {
          type: e.type,
          ...job(e.job, e.at),
          nodeId: e.nodeId,
          final: e.final,
          sampledAt: e.sampledAt,
          items: e.items,
          requests: e.requests,
          responses: e.responses,
          errors: e.errors,
          finishReason: e.finishReason,
        },
        'stats',
      );
    case 'node.online':
      return ofNode({ type: e.type, at: e.at, nodeId: e.nodeId, kind: e.kind });
    case 'node.offline':
      return ofNode({ type: e.type, at: e.at, nodeId: e.nodeId, kind: e.kind, lastSeen: e.lastSeen });
    case 'node.cordoned':
      return ofNode({ type: e.type, at: e.at, nodeId: e.nodeId, cordoned: e.cordoned });
    case 'node.revoked':
      return ofNode({ type: e.type, at: e.at, nodeId: e.nodeId });
    case 'node.host':
      return ofNode({ type: e.type, at: e.at, nodeId: e.nodeId, sample: e.sample });
    case 'audit.appended':
      return { event: { type: e.type, at: e.at, entry: e.entry }, family: 'audit', project: null, adminOnly: true };
    case 'alert.changed':
      return {
        event: {
          type: e.type,
          at: e.at,
          alertId: e.alertId,
          ruleId: e.ruleId,
          ruleKind: e.ruleKind,
          project: e.project,
          subject: e.subject,
          state: e.state,
        },
        family: 'alert',
        project: e.project,
      };
    case 'schedule.fired':
      return {
        event: {
          type: e.type,
          at: e.at,
          scheduleId: e.scheduleId,
          project: e.project,
          scheduledAt: e.scheduledAt,
          trigger: e.trigger,
          status: e.status,
          reasonCode: e.reasonCode,
          reason: e.reason,
          jobId: e.jobId,
        },
        family: 'schedule',
        project: e.project,
      };
  }
}
