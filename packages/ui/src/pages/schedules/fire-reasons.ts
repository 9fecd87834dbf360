/** What a schedule's fire did, in words (pure): the skip reasons a person reads in the fire history. */
import type { ScheduleFire } from '@scrapyard/protocol';

type ReasonCode = NonNullable<ScheduleFire['reasonCode']>;

const REASONS: Record<ReasonCode, string> = {
  overlap: 'the previous job was still pending or running (overlap policy)',
  paused: 'the schedule was paused',
  misfire: 'the fire came too late (the master was down or busy past the grace time)',
  project_missing: 'the project no longer exists',
  spider_missing: 'the spider is not in the project any more',
  version_missing: 'the pinned version is gone',
  refused: 'the master refused the job',
  pending_cap: 'the schedule already had as many pending jobs as allowed',
};

const STATUSES: Record<ScheduleFire['status'], string> = {
  claimed: 'starting',
  queued: 'queued a job',
  waiting: 'waiting for the previous job',
  skipped: 'skipped',
  failed: 'failed',
};

const TRIGGERS: Record<ScheduleFire['trigger'], string> = {
  cron: 'on time',
  manual: 'run now',
  misfire: 'late (misfire)',
  backfill: 'backfill',
};

export function statusText(status: ScheduleFire['status']): string {
  return STATUSES[status];
}

export function triggerText(trigger: ScheduleFire['trigger']): string {
  return TRIGGERS[trigger];
}

/** Why the fire went as it did: the reason's words, with the master's own detail when it adds something. */
export function reasonText(fire: Pick<ScheduleFire, 'reasonCode' | 'reason'>): string {
  const known = fire.reasonCode === null ? undefined : REASONS[fire.reasonCode];
  const detail = fire.reason?.trim() || undefined;
  if (known === undefined) return detail ?? '';
  return detail === undefined || detail === known ? known : `${known}: ${detail}`;
}
