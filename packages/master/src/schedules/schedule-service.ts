/**
 * Schedule commands and queries behind the REST API and `scrapyard-master schedule`: every change is validated
 * whole (the expression compiles, the time zone exists, the project and spider exist, the arguments are allowed)
 * before anything is stored, then handed to the scheduler.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  ScheduleSpec,
  type CreateScheduleRequest,
  type FireTime,
  type PreviewScheduleRequest,
  type Schedule,
  type ScheduleFire,
  type UpdateScheduleRequest,
} from '@scrapyard/protocol';
import type { ScheduleRow, SchedulesRepo } from '../db/repos/schedules.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { JobService } from '../jobs/job-service.js';
import { CatalogueError, parseOr400 } from '@scrapyard/protocol';
import { describeTiming } from './cron-text.js';
import { FireTimes, localTime } from './fire-times.js';
import type { Scheduler } from './scheduler.js';

type FireTimesView = { timezone: string; description: string; fires: FireTime[] };
import { columnsOf, fireView, scheduleView, specOf, timingOf } from './schedule-view.js';

export interface ScheduleServiceDeps {
  repo: SchedulesRepo;
  scheduler: Scheduler;
  jobs: JobService;
  maxSchedules: number;
  /** Most spider arguments or settings of one job (max_schedule_params). */
  maxParams: number;
  /** Shortest time between two fires (min_schedule_interval_seconds); 1 when not given. */
  minIntervalSeconds?: number;
  now: () => number;
  /** Changes are announced here (`config.changed`), after their commit. */
  events?: Pick<DomainEvents, 'publish'>;
}

/** Fields whose change moves the schedule's timing: the cursor then starts from now (no flood of misfires). */
const TIMING_FIELDS = ['cron', 'intervalSeconds', 'timezone', 'startAt', 'endAt'] as const;

export class ScheduleService {
  readonly #d: ScheduleServiceDeps;

  constructor(deps: ScheduleServiceDeps) {
    this.#d = deps;
  }

  async create(input: z.output<typeof CreateScheduleRequest>): Promise<Schedule> {
    const spec = await this.#validate(input, null);
    if ((await this.#d.repo.count()) >= this.#d.maxSchedules) {
      throw new CatalogueError('LIMIT_REACHED', `at most ${this.#d.maxSchedules} schedules are kept (max_schedules)`, {
        limit: 'max_schedules',
        max: this.#d.maxSchedules,
      });
    }
    const now = this.#d.now();
    const row: ScheduleRow = {
      id: `sch-${randomBytes(6).toString('hex')}`,
      ...columnsOf(spec),
      created_at: now,
      updated_at: now,
      cursor_at: now,
    } as ScheduleRow;
    try {
      await this.#d.repo.insert(row);
    } catch (e) {
      // Two creates racing for one name: the unique index decides, and the loser hears why.
      if (spec.name !== null && (await this.#d.repo.nameTaken(spec.name, row.id))) {
        throw new CatalogueError('CONFLICT', `a schedule named '${spec.name}' exists`, { name: spec.name });
      }
      throw e;
    }
    this.#d.scheduler.upsert(row);
    this.#announce(row, 'created', Object.keys(input));
    return this.#view(row);
  }

  async update(id: string, patch: z.output<typeof UpdateScheduleRequest>): Promise<Schedule> {
    const row = await this.#row(id);
    const spec = await this.#validate({ ...specOf(row), ...patch }, id);
    const now = this.#d.now();
    const retimed = TIMING_FIELDS.some((k) => k in patch);
    // Resumed: a paused schedule owes nothing for the pause, even for fires no tick recorded (the machine slept).
    const resumed = spec.enabled && !row.enabled;
    const next: ScheduleRow = {
      ...row,
      ...columnsOf(spec),
      updated_at: now,
      cursor_at: retimed || resumed ? Math.max(Number(row.cursor_at), now) : row.cursor_at,
    } as ScheduleRow;
    const { id: _id, created_at: _c, ...changes } = next;
    if (!(await this.#d.repo.update(id, changes))) throw notFound(id);
    this.#d.scheduler.upsert(next);
    this.#announce(next, 'updated', Object.keys(patch));
    return this.#view(next);
  }

  setEnabled(id: string, enabled: boolean): Promise<Schedule> {
    return this.update(id, { enabled });
  }

  async delete(id: string): Promise<void> {
    const row = await this.#row(id);
    if (!(await this.#d.repo.delete(id))) throw notFound(id);
    this.#d.scheduler.remove(id);
    this.#announce(row, 'deleted', []);
  }

  /** What changed, for the audit log: arguments and settings by name only (their values may be secrets). */
  #announce(row: ScheduleRow, change: 'created' | 'updated' | 'deleted', fields: string[]): void {
    const spec = specOf(row);
    this.#d.events?.publish({
      type: 'config.changed',
      entity: 'schedule',
      id: row.id,
      project: spec.project,
      change,
      summary: {
        name: spec.name ?? null,
        spider: spec.spider,
        ...(change === 'updated' ? { fields: fields.sort() } : {}),
        timing: spec.cron ?? `every ${spec.intervalSeconds} s`,
        enabled: spec.enabled,
        args: Object.keys(spec.args).sort(),
        settings: Object.keys(spec.settings).sort(),
      },
    });
  }

  async get(id: string): Promise<Schedule> {
    return this.#view(await this.#row(id));
  }

  async list(project?: string): Promise<Schedule[]> {
    const [rows, last] = await Promise.all([this.#d.repo.all(), this.#d.repo.lastFires()]);
    return rows
      .filter((r) => project === undefined || r.project === project)
      .map((r) => scheduleView(r, this.#d.scheduler.nextFireAt(r.id), last.get(r.id)));
  }

  /** The next `count` fires of a saved schedule, from now. */
  async upcoming(id: string, count: number): Promise<FireTimesView> {
    const row = await this.#row(id);
    const timing = timingOf(row);
    const times = FireTimes.of(timing);
    const after = Math.max(Number(row.cursor_at), this.#d.now());
    return {
      timezone: row.timezone,
      description: describeTiming(timing),
      fires: times.upcoming(after, count).map((at) => ({ at, local: times.local(at) })),
    };
  }

  /** The next fires of an expression before it is saved. */
  preview(p: z.output<typeof PreviewScheduleRequest>): FireTimesView {
    const after = p.after ?? this.#d.now();
    const times = FireTimes.of({ ...p, anchor: after });
    return {
      timezone: p.timezone,
      description: describeTiming(p),
      fires: times.upcoming(after, p.count).map((at) => ({ at, local: localTime(at, p.timezone) })),
    };
  }

  async fires(
    id: string,
    limit: number,
    before?: number,
  ): Promise<{ fires: ScheduleFire[]; nextCursor: number | null }> {
    await this.#row(id);
    const rows = await this.#d.repo.fires(id, limit, before);
    const fires = rows.map(fireView);
    return { fires, nextCursor: fires.length === limit ? fires.at(-1)!.scheduledAt : null };
  }

  async runNow(id: string): Promise<ScheduleFire> {
    await this.#row(id);
    return fireView(await this.#d.scheduler.runNow(id));
  }

  async #row(id: string): Promise<ScheduleRow> {
    const row = await this.#d.repo.get(id);
    if (!row) throw notFound(id);
    return row;
  }

  async #view(row: ScheduleRow): Promise<Schedule> {
    const [last] = await this.#d.repo.fires(row.id, 1);
    return scheduleView(row, this.#d.scheduler.nextFireAt(row.id), last);
  }

  /**
   * A schedule may not fire more often than min_schedule_interval_seconds: its interval, or the shortest gap among
   * the next fires of its cron expression (its pattern alone, without startAt and endAt).
   */
  #checkFloor(spec: ScheduleSpec): void {
    const floor = this.#d.minIntervalSeconds ?? 1;
    const refuse = (what: string) =>
      new CatalogueError(
        'SCHEDULE_TOO_FREQUENT',
        `${what}: schedules may fire at most once every ${floor} s (min_schedule_interval_seconds = ${floor})`,
        { minIntervalSeconds: floor },
      );
    if (spec.intervalSeconds !== null) {
      if (spec.intervalSeconds < floor) throw refuse(`intervalSeconds ${spec.intervalSeconds} is below the floor`);
      return;
    }
    if (floor <= 1) return; // no cron expression fires more often than once a second
    const pattern = FireTimes.of({ ...spec, startAt: null, endAt: null, anchor: 0 });
    let prev = pattern.next(this.#d.now());
    for (let i = 0; prev !== null && i < FLOOR_SAMPLE; i++) {
      const at = pattern.next(prev);
      if (at === null) break;
      if (at - prev < floor * 1000) {
        throw refuse(`cron '${spec.cron}' fires ${(at - prev) / 1000} s apart (${new Date(prev).toISOString()})`);
      }
      prev = at;
    }
  }

  /** The whole spec checked: fields, expression, bounds, name, project, spider, version and arguments. */
  async #validate(input: z.input<typeof ScheduleSpec>, id: string | null): Promise<ScheduleSpec> {
    const spec = parseOr400(ScheduleSpec, input, 'body');
    FireTimes.of({ ...spec, anchor: this.#d.now() });
    this.#checkFloor(spec);
    for (const [what, map] of [
      ['args', spec.args],
      ['settings', spec.settings],
    ] as const) {
      if (Object.keys(map).length > this.#d.maxParams) {
        throw new CatalogueError('BAD_REQUEST', `body.${what}: at most ${this.#d.maxParams} entries are accepted`, {
          field: what,
          max: this.#d.maxParams,
        });
      }
    }
    if (spec.name !== null && (await this.#d.repo.nameTaken(spec.name, id))) {
      throw new CatalogueError('CONFLICT', `a schedule named '${spec.name}' exists`, { name: spec.name });
    }
    await this.#d.jobs.checkSubmittable({
      project: spec.project,
      spider: spec.spider,
      version: spec.version ?? undefined,
      args: Object.entries(spec.args),
    });
    return spec;
  }
}

/** Consecutive fires of a cron expression compared for its shortest gap (stopping at the first below the floor). */
const FLOOR_SAMPLE = 1_000;

export const notFound = (id: string) => new CatalogueError('NOT_FOUND', `schedule '${id}' not found`, { schedule: id });
