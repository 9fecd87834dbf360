/** A schedule's row as the API shows it and back: JSON columns parsed, booleans as booleans, camelCase. */
import type { Schedule, ScheduleFire, ScheduleSpec } from '@scrapyard/protocol';
import type { Insertable } from 'kysely';
import type { FireRow, ScheduleRow } from '../db/repos/schedules.js';
import type { SchedulesTable } from '../db/schema.js';
import type { Timing } from './fire-times.js';

export function specOf(row: ScheduleRow): ScheduleSpec {
  return {
    name: row.name,
    project: row.project,
    spider: row.spider,
    cron: row.cron,
    intervalSeconds: row.interval_seconds,
    timezone: row.timezone,
    version: row.version,
    args: JSON.parse(row.args) as Record<string, string>,
    settings: JSON.parse(row.settings) as Record<string, string>,
    tags: row.tags === null ? null : (JSON.parse(row.tags) as string[]),
    priority: row.priority,
    jitterSeconds: row.jitter_seconds,
    startAt: row.start_at === null ? null : Number(row.start_at),
    endAt: row.end_at === null ? null : Number(row.end_at),
    enabled: row.enabled === 1,
    overlap: row.overlap as ScheduleSpec['overlap'],
    misfire: row.misfire as ScheduleSpec['misfire'],
    misfireGraceSeconds: row.misfire_grace_seconds,
    backfillWindowSeconds: row.backfill_window_seconds,
    backfillMax: row.backfill_max,
    policy: row.policy === null ? null : (JSON.parse(row.policy) as ScheduleSpec['policy']),
  };
}

/** The columns a spec sets (identity, times and cursor are the caller's). */
export function columnsOf(
  s: ScheduleSpec,
): Omit<Insertable<SchedulesTable>, 'id' | 'created_at' | 'updated_at' | 'cursor_at'> {
  return {
    name: s.name,
    project: s.project,
    spider: s.spider,
    cron: s.cron,
    interval_seconds: s.intervalSeconds,
    timezone: s.timezone,
    version: s.version,
    args: JSON.stringify(s.args),
    settings: JSON.stringify(s.settings),
    tags: s.tags === null ? null : JSON.stringify([...new Set(s.tags)].sort()),
    priority: s.priority,
    jitter_seconds: s.jitterSeconds,
    start_at: s.startAt,
    end_at: s.endAt,
    enabled: s.enabled ? 1 : 0,
    overlap: s.overlap,
    misfire: s.misfire,
    misfire_grace_seconds: s.misfireGraceSeconds,
    backfill_window_seconds: s.backfillWindowSeconds,
    backfill_max: s.backfillMax,
    policy: s.policy === null ? null : JSON.stringify(s.policy),
  };
}

export function timingOf(
  row: Pick<ScheduleRow, 'cron' | 'interval_seconds' | 'timezone' | 'start_at' | 'end_at' | 'created_at'>,
): Timing {
  return {
    cron: row.cron,
    intervalSeconds: row.interval_seconds,
    timezone: row.timezone,
    startAt: row.start_at === null ? null : Number(row.start_at),
    endAt: row.end_at === null ? null : Number(row.end_at),
    anchor: Number(row.created_at),
  };
}

export function fireView(f: FireRow): ScheduleFire {
  return {
    scheduleId: f.schedule_id,
    scheduledAt: Number(f.scheduled_at),
    firedAt: Number(f.fired_at),
    trigger: f.trigger as ScheduleFire['trigger'],
    status: f.status as ScheduleFire['status'],
    reasonCode: f.reason_code as ScheduleFire['reasonCode'],
    reason: f.reason,
    jobId: f.job_id,
  };
}

export function scheduleView(row: ScheduleRow, nextFireAt: number | null, lastFire: FireRow | undefined): Schedule {
  return {
    id: row.id,
    ...specOf(row),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    nextFireAt,
    lastFire: lastFire ? fireView(lastFire) : null,
  };
}
