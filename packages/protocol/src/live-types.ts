/**
 * The event types of the live stream (GET /api/v1/events), zod-free: the master subscribes to these domain events
 * and the UI listens for them, from this one list (`@scrapyard/protocol/live-types`, like role-actions). http/live.ts
 * checks at compile time that its schemas and this list name the same types.
 */
export const LIVE_EVENT_TYPES = [
  'job.queued',
  'job.started',
  'job.finished',
  'job.cancelled',
  'job.requeued',
  'job.stats',
  'node.online',
  'node.offline',
  'node.cordoned',
  'node.revoked',
  'alert.changed',
  'schedule.fired',
  'node.host',
  'audit.appended',
] as const;
