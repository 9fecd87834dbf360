/**
 * How the dashboard's counters follow the live stream (pure): the events whose effect is certain adjust the
 * counters at once; every event that touches them also asks for a (debounced) re-fetch of the overview, which
 * settles what an event can't tell (a job's day, a cancelled job's count, slots, alerts).
 */
import type { LiveEvent, Overview } from '@scrapyard/protocol';

export interface OverviewStep {
  overview: Overview;
  /** Ask the server again (debounced by the caller). */
  refetch: boolean;
}

/** Outcomes the overview does not count as failures (`failedToday`). */
const NOT_FAILED = new Set(['succeeded', 'cancelled']);

export function isFailure(outcome: string | null): boolean {
  return outcome !== null && !NOT_FAILED.has(outcome);
}

function jobs(o: Overview, change: Partial<Overview['jobs']>): Overview {
  return { ...o, jobs: { ...o.jobs, ...change } };
}

const down = (n: number) => Math.max(0, n - 1);

export function applyOverviewEvent(o: Overview, e: LiveEvent): OverviewStep {
  switch (e.type) {
    case 'job.queued':
      return { overview: jobs(o, { pending: o.jobs.pending + 1 }), refetch: true };
    case 'job.started':
      return {
        overview: jobs(o, { pending: down(o.jobs.pending), running: o.jobs.running + 1 }),
        refetch: true,
      };
    case 'job.finished': {
      const wasRunning = e.startedAt !== null;
      const today = e.endedAt >= o.day.start && e.endedAt < o.day.end;
      const counted = today
        ? {
            finishedToday: o.jobs.finishedToday + 1,
            failedToday: o.jobs.failedToday + (isFailure(e.outcome) ? 1 : 0),
            outcomesToday: { ...o.jobs.outcomesToday, [e.outcome]: (o.jobs.outcomesToday[e.outcome] ?? 0) + 1 },
          }
        : {};
      const left = wasRunning ? { running: down(o.jobs.running) } : { pending: down(o.jobs.pending) };
      return { overview: jobs(o, { ...left, ...counted }), refetch: true };
    }
    case 'job.cancelled':
    case 'job.requeued':
    case 'node.online':
    case 'node.offline':
    case 'node.cordoned':
    case 'node.revoked':
    case 'alert.changed':
      return { overview: o, refetch: true };
    case 'job.stats':
    case 'schedule.fired':
    case 'node.host':
    case 'audit.appended':
      return { overview: o, refetch: false };
  }
}
