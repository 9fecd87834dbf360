/**
 * One fire of a schedule, once it is due: claimed in the ledger (one conditional insert, so it happens once), then
 * decided (paused, pending cap, overlap policy), turned into a job through the job service, and settled (ledger,
 * log, `schedule.fired`). Fires held by the overlap policy `queue` wait here until the schedule has no active job.
 */
import type { Logger } from 'pino';
import type { FireRow, ScheduleRow, SchedulesRepo } from '../db/repos/schedules.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { JobService } from '../jobs/job-service.js';
import { uuid1Hex } from '../jobs/uuid1.js';
import { CatalogueError } from '@scrapyard/protocol';
import { specOf } from './schedule-view.js';

export type Trigger = FireRow['trigger'] & ('cron' | 'manual' | 'misfire' | 'backfill');
type Settled = Pick<FireRow, 'status' | 'reason_code' | 'reason' | 'job_id'> & {
  status: 'queued' | 'waiting' | 'skipped' | 'failed';
};
/** The schedule a fire belongs to (its row as last loaded). */
export interface FireSchedule {
  row: ScheduleRow;
}

export interface FireHandlerDeps {
  repo: SchedulesRepo;
  jobs: JobService;
  events: DomainEvents;
  /** Fires kept per schedule (schedule_fires_to_keep). */
  firesToKeep: number;
  /** Pending jobs one schedule may have (max_pending_per_schedule); a fire beyond is skipped (`pending_cap`). */
  maxPending: number;
  log: Logger;
  now: () => number;
  /** The schedule as loaded now (undefined once deleted). */
  scheduleOf: (id: string) => FireSchedule | undefined;
}

/** Fires between prunes of a schedule's ledger. */
const PRUNE_EVERY = 50;

const REASON_OF_CODE: Record<string, FireRow['reason_code']> = {
  PROJECT_NOT_FOUND: 'project_missing',
  SPIDER_NOT_FOUND: 'spider_missing',
  VERSION_NOT_FOUND: 'version_missing',
};

export const plural = (n: number, what: string, more = false) => `${n}${more ? '+' : ''} ${what}${n === 1 ? '' : 's'}`;

export class FireHandler {
  readonly #d: FireHandlerDeps;
  readonly #log: Logger;
  /** Schedules with a fire waiting behind a running job (overlap `queue`). */
  readonly #waiting = new Set<string>();
  readonly #sincePrune = new Map<string, number>();

  constructor(deps: FireHandlerDeps) {
    this.#d = deps;
    this.#log = deps.log;
  }

  /** Schedules with a fire waiting for their active job to end. */
  get waiting(): ReadonlySet<string> {
    return this.#waiting;
  }

  /** The schedule has a fire waiting (found at start-up). */
  markWaiting(id: string): void {
    this.#waiting.add(id);
  }

  /** The schedule was deleted. */
  forget(id: string): void {
    this.#waiting.delete(id);
  }

  /**
   * The conditional insert that owns a fire: its job id if this call claimed it, null if it was taken. The job id
   * is chosen here, so a crash between the claim and the job can't make the job twice.
   */
  async claim(e: FireSchedule, at: number, trigger: Trigger, note: string | null): Promise<string | null> {
    const jobId = uuid1Hex();
    const claimed = await this.#d.repo.claim({
      schedule_id: e.row.id,
      scheduled_at: at,
      fired_at: this.#d.now(),
      trigger,
      status: 'claimed',
      reason_code: null,
      reason: note,
      job_id: jobId,
    });
    return claimed ? jobId : null;
  }

  /**
   * A claimed fire: paused, skipped at the pending cap (whatever the overlap policy; "run now" too), held or skipped
   * by the overlap policy, or submitted.
   */
  async decide(e: FireSchedule, at: number, trigger: Trigger, note: string | null, jobId: string): Promise<void> {
    const row = e.row;
    if (trigger !== 'manual' && !row.enabled) {
      return this.settle(e, at, trigger, {
        status: 'skipped',
        reason_code: 'paused',
        reason: 'the schedule is paused',
        job_id: null,
      });
    }
    const active = await this.#d.repo.activeJobs(row.id);
    const pending = active.filter((j) => j.state === 'pending').length;
    if (pending >= this.#d.maxPending) {
      return this.settle(e, at, trigger, {
        status: 'skipped',
        reason_code: 'pending_cap',
        reason: `${plural(pending, 'job')} of this schedule ${pending === 1 ? 'is' : 'are'} pending, the most allowed (max_pending_per_schedule = ${this.#d.maxPending})`,
        job_id: null,
      });
    }
    if (trigger !== 'manual') {
      if (active.length > 0) {
        const busy = `job ${active.map((j) => `${j.job_id} (${j.state})`).join(', ')} of this schedule is still active`;
        if (row.overlap === 'forbid') {
          return this.settle(e, at, trigger, {
            status: 'skipped',
            reason_code: 'overlap',
            reason: `${busy}; overlap policy forbid`,
            job_id: null,
          });
        }
        if (row.overlap === 'queue') {
          const waiting = await this.#d.repo.inStatus('waiting', row.id);
          if (waiting.length > 0) {
            return this.settle(e, at, trigger, {
              status: 'skipped',
              reason_code: 'overlap',
              reason: `${busy} and the fire of ${new Date(Number(waiting[0]!.scheduled_at)).toISOString()} already waits; overlap policy queue`,
              job_id: null,
            });
          }
          this.#waiting.add(row.id);
          return this.settle(e, at, trigger, {
            status: 'waiting',
            reason_code: 'overlap',
            reason: `${busy}; waits for it (overlap policy queue)`,
            job_id: jobId,
          });
        }
        if (row.overlap === 'replace') {
          for (const j of active) await this.#d.jobs.cancel(j.project, j.job_id, undefined);
          note = `${note ? `${note}; ` : ''}replaced ${busy.replace(/ of this schedule is still active$/, '')} (cancelled)`;
        }
      }
    }
    await this.submit(e, at, trigger, jobId, note);
  }

  async submit(e: FireSchedule, at: number, trigger: Trigger, jobId: string, note: string | null): Promise<void> {
    const s = specOf(e.row);
    try {
      await this.#d.jobs.submit({
        project: s.project,
        spider: s.spider,
        version: s.version ?? undefined,
        jobId,
        priority: s.priority,
        args: Object.entries(s.args),
        settings: Object.entries(s.settings),
        tags: s.tags ?? undefined,
        scheduleId: e.row.id,
        policy: s.policy,
      });
    } catch (err) {
      if (!(err instanceof CatalogueError)) throw err;
      return this.settle(e, at, trigger, {
        status: 'failed',
        reason_code: REASON_OF_CODE[err.code] ?? 'refused',
        reason: err.message,
        job_id: null,
      });
    }
    await this.settle(e, at, trigger, { status: 'queued', reason_code: null, reason: note, job_id: jobId });
  }

  async settle(e: FireSchedule, at: number, trigger: Trigger, s: Settled): Promise<void> {
    const id = e.row.id;
    await this.#d.repo.settle(id, at, s);
    const log = this.#log.child({ scheduleId: id, scheduledAt: new Date(at).toISOString(), trigger, jobId: s.job_id });
    if (s.status === 'queued' || s.status === 'waiting') log.info({ status: s.status }, 'schedule fired');
    else log.warn({ status: s.status, reasonCode: s.reason_code, reason: s.reason }, 'schedule fire did not run');
    this.#d.events.publish({
      type: 'schedule.fired',
      scheduleId: id,
      project: specOf(e.row).project,
      scheduledAt: at,
      trigger,
      status: s.status,
      reasonCode: s.reason_code,
      reason: s.reason,
      jobId: s.job_id,
    });
    const n = (this.#sincePrune.get(id) ?? 0) + 1;
    if (n >= PRUNE_EVERY) {
      this.#sincePrune.delete(id);
      await this.#d.repo.prune(id, this.#d.firesToKeep);
    } else {
      this.#sincePrune.set(id, n);
    }
  }

  /** A fire claimed just before a crash: done if its job exists, else decided now. */
  async recoverClaimed(e: FireSchedule, fire: FireRow): Promise<void> {
    const at = Number(fire.scheduled_at);
    const trigger = fire.trigger as Trigger;
    if (fire.job_id !== null && (await this.#d.repo.madeJob(e.row.id, fire.job_id))) {
      return this.settle(e, at, trigger, {
        status: 'queued',
        reason_code: null,
        reason: fire.reason,
        job_id: fire.job_id,
      });
    }
    this.#log.warn({ scheduleId: e.row.id, scheduledAt: at }, 'completing a fire interrupted by a restart');
    await this.decide(e, at, trigger, fire.reason, fire.job_id ?? uuid1Hex());
  }

  /** Overlap `queue`: the waiting fire gets its job once the schedule has none active. */
  async drainWaiting(id: string): Promise<void> {
    const e = this.#d.scheduleOf(id);
    const [fire] = await this.#d.repo.inStatus('waiting', id);
    if (!e || !fire) {
      this.#waiting.delete(id);
      return;
    }
    if ((await this.#d.repo.activeJobs(id)).length > 0) return;
    this.#waiting.delete(id);
    const at = Number(fire.scheduled_at);
    await this.submit(
      e,
      at,
      fire.trigger as Trigger,
      fire.job_id ?? uuid1Hex(),
      `waited ${Math.round((this.#d.now() - Number(fire.fired_at)) / 1000)} s for the previous job (overlap policy queue)`,
    );
  }
}
