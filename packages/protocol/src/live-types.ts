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

/**
 * Telemetry rather than facts: sent only to the streams open at that moment, without an id, never kept for a
 * resume (a host sample every few seconds from each of thousands of nodes would push every job event out of the
 * ring). The client takes them without moving its resume point; a page re-reads what they update after a reset.
 */
export const TRANSIENT_LIVE_TYPES: readonly (typeof LIVE_EVENT_TYPES)[number][] = ['node.host'];
