/**
 * Fires schedules: one timer for the earliest due fire of all schedules; each fire claimed in the ledger with one
 * conditional insert (so it happens once, across restarts), then decided (paused, overlap policy) and turned into
 * a job through the job service. Fires that fell while the master was down, or more than the grace late, follow
 * the schedule's misfire policy. A schedule's fires are handled one at a time, in order; different schedules in
 * parallel.
 *
 * Crash safety: the ledger row is written before the job and the cursor after both. A crash between the claim and
 * the job leaves a `claimed` row, which start-up completes (the job id was chosen at the claim, so a job that did
 * get committed is recognised and not made twice); fires after the cursor that are already in the ledger are
 * skipped by the claim itself.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { FireRow, ScheduleRow, SchedulesRepo } from '../db/repos/schedules.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { JobService } from '../jobs/job-service.js';
import { ApiError } from '../services/api-error.js';
import { FireTimes } from './fire-times.js';
import { FireHandler, plural, type Trigger } from './fire-handler.js';
import { timingOf } from './schedule-view.js';

export interface SchedulerDeps {
  repo: SchedulesRepo;
  jobs: JobService;
  events: DomainEvents;
  /** Fires kept per schedule (schedule_fires_to_keep). */
  firesToKeep: number;
  /** Pending jobs one schedule may have (max_pending_per_schedule); a fire beyond is skipped (`pending_cap`). */
  maxPending: number;
  logger: Logger;
  now: () => number;
}

interface Entry {
  row: ScheduleRow;
  times: FireTimes;
  /** Next scheduled time after the cursor, and when it is due (with its jitter). */
  next: number | null;
  due: number | null;
}

/**
 * Catching up after a downtime enumerates the fire times it missed (a per-second schedule down for a day has
 * 86,400; croner takes ~50 µs each): in chunks, yielding between them, and at most CATCH_UP_MAX before it jumps
 * to the part of the backlog its misfire policy can still run (the count is then "at least").
 */
const CATCH_UP_CHUNK = 500;
const CATCH_UP_MAX = 50_000;
/** The timer never sleeps longer than this, so a wall-clock jump is noticed within a minute. */
const MAX_SLEEP_MS = 60_000;

/** The same delay for the same fire, whichever master process computes it. */
export function jitterOf(scheduleId: string, at: number, jitterSeconds: number): number {
  if (jitterSeconds <= 0) return 0;
  const h = createHash('sha256').update(`${scheduleId}\u0000${at}`).digest();
  return Math.floor((h.readUInt32BE(0) / 2 ** 32) * jitterSeconds * 1000);
}

export class Scheduler {
  readonly #d: SchedulerDeps;
  readonly #log: Logger;
  readonly #entries = new Map<string, Entry>();
  /** Per schedule, the tail of its chain of fire handling (one at a time, in order). */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #fires: FireHandler;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'scheduler' });
    this.#fires = new FireHandler({ ...deps, log: this.#log, scheduleOf: (id) => this.#entries.get(id) });
    const drain = () => {
      for (const id of this.#fires.waiting) {
        void this.#chain(id, () => this.#fires.drainWaiting(id));
      }
    };
    deps.events.on('job.finished', drain);
    deps.events.on('job.cancelled', (e) => {
      if (e.previousState === 'pending') drain();
    });
  }

  /** Loads every schedule, completes fires a crash interrupted, applies misfire policies, and arms the timer. */
  async start(): Promise<void> {
    for (const row of await this.#d.repo.all()) {
      try {
        this.#load(row);
      } catch (err) {
        // E.g. a time zone this runtime's ICU no longer knows: the others still fire; this one is named.
        this.#log.error({ err, scheduleId: row.id }, 'schedule cannot be loaded; it does not fire until fixed');
      }
    }
    for (const fire of await this.#d.repo.inStatus('claimed')) {
      const e = this.#entries.get(fire.schedule_id);
      if (!e) continue;
      void this.#chain(e.row.id, () => this.#fires.recoverClaimed(e, fire));
    }
    for (const fire of await this.#d.repo.inStatus('waiting')) this.#fires.markWaiting(fire.schedule_id);
    for (const id of this.#fires.waiting) {
      void this.#chain(id, () => this.#fires.drainWaiting(id));
    }
    await this.tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Waits for the fire handling under way (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#chains.values()]);
  }

  /** A schedule was created or changed: (re)computes its next fire. */
  upsert(row: ScheduleRow): void {
    this.#load(row);
    this.#arm();
  }

  remove(id: string): void {
    this.#entries.delete(id);
    this.#fires.forget(id);
    this.#arm();
  }

  nextFireAt(id: string): number | null {
    return this.#entries.get(id)?.next ?? null;
  }

  /** "Run now": a manual fire at this moment, whatever the pause and overlap settings say. */
  runNow(id: string): Promise<FireRow> {
    const e = this.#entries.get(id);
    if (!e) return Promise.reject(new ApiError('NOT_FOUND', `schedule '${id}' not found`));
    return new Promise<FireRow>((resolve, reject) => {
      void this.#chain(id, async () => {
        try {
          let at = this.#d.now();
          let jobId: string | null;
          // Unique key: a manual fire never takes a timed fire's slot (nor another manual one's).
          while ((jobId = await this.#fires.claim(e, at, 'manual', null)) === null) at++;
          await this.#fires.decide(e, at, 'manual', null, jobId);
          const [fire] = await this.#d.repo.fires(id, 1, at + 1);
          resolve(fire!);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }

  // ----- timing -----

  #load(row: ScheduleRow): void {
    const times = FireTimes.of(timingOf(row));
    const entry: Entry = { row, times, next: null, due: null };
    this.#plan(entry);
    this.#entries.set(row.id, entry);
  }

  #plan(e: Entry): void {
    e.next = e.times.next(Number(e.row.cursor_at));
    e.due = e.next === null ? null : e.next + jitterOf(e.row.id, e.next, e.row.jitter_seconds);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    let earliest = Infinity;
    for (const e of this.#entries.values()) if (e.due !== null && e.due < earliest) earliest = e.due;
    if (earliest === Infinity) return;
    const wait = Math.min(MAX_SLEEP_MS, Math.max(0, earliest - this.#d.now()));
    this.#timer = setTimeout(() => void this.tick(), wait);
  }

  /** Handles every fire that is due now (the timer calls it; tests with their own clock do too). */
  async tick(): Promise<void> {
    if (this.#stopped) return;
    const now = this.#d.now();
    const work: Promise<void>[] = [];
    for (const e of this.#entries.values()) {
      if (e.due === null || e.due > now) continue;
      e.due = null; // taken: the catch-up replans it
      work.push(this.#chain(e.row.id, () => this.#catchUp(e)));
    }
    this.#arm();
    await Promise.all(work);
  }

  /** Runs `fn` after the schedule's earlier work; failures are logged, never break the chain. */
  #chain(id: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.#chains.get(id) ?? Promise.resolve())
      .then(fn)
      .catch((err: unknown) => this.#log.error({ err, scheduleId: id }, 'schedule fire failed'));
    this.#chains.set(id, next);
    void next.then(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    });
    return next;
  }

  /**
   * Handles every fire of a schedule that is due: on time (within the grace) they fire; older ones are misfires,
   * handled by the schedule's policy; while the schedule is paused, on-time fires are recorded as skipped.
   */
  async #catchUp(e: Entry): Promise<void> {
    if (this.#entries.get(e.row.id) !== e) return; // changed or deleted meanwhile
    const now = this.#d.now();
    const row = e.row;
    const grace = row.misfire_grace_seconds * 1000;
    const window = row.backfill_window_seconds * 1000;
    const keep = row.misfire === 'backfill' ? row.backfill_max : 1;
    let cursor = Number(row.cursor_at);
    let missed = 0;
    let missedFrom: number | null = null;
    let truncated = false;
    const kept: number[] = [];
    const onTime: number[] = [];
    let seen = 0;
    // Fires older than this can't run under any policy: past it, only their count matters.
    const horizon = now - grace - (row.misfire === 'backfill' ? window : 0) - 1_000;
    scan: for (;;) {
      const { times, more } = e.times.between(cursor, now, CATCH_UP_CHUNK);
      for (const t of times) {
        const due = t + jitterOf(row.id, t, row.jitter_seconds);
        if (due > now) break scan;
        if (now - due > grace) {
          missed++;
          missedFrom ??= t;
          if (row.misfire !== 'backfill' || t >= now - window) {
            kept.push(t);
            if (kept.length > keep) kept.shift();
          }
        } else {
          onTime.push(t);
        }
        cursor = t;
      }
      seen += times.length;
      if (!more) break;
      if (seen >= CATCH_UP_MAX && cursor < horizon) {
        truncated = true;
        cursor = horizon;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (missed > 0) await this.#misfire(e, { missed, missedFrom: missedFrom!, kept, truncated });
    for (const t of onTime) {
      const jobId = await this.#fires.claim(e, t, 'cron', null);
      if (jobId !== null) await this.#fires.decide(e, t, 'cron', null, jobId);
    }
    if (cursor > Number(row.cursor_at)) {
      await this.#d.repo.advanceCursor(row.id, cursor);
      row.cursor_at = cursor;
    }
    if (this.#entries.get(row.id) === e) {
      this.#plan(e);
      this.#arm();
    }
  }

  async #misfire(
    e: Entry,
    m: { missed: number; missedFrom: number; kept: number[]; truncated: boolean },
  ): Promise<void> {
    const row = e.row;
    const last = m.kept.at(-1);
    if (!row.enabled || last === undefined) return; // paused while the master was down: nothing was owed
    const done = await this.#d.repo.firedIn(row.id, m.kept[0]!, last);
    const owed = m.kept.filter((t) => !done.has(t));
    if (owed.length === 0) return;
    const span = `${plural(m.missed, 'fire', m.truncated)} from ${new Date(m.missedFrom).toISOString()} to ${new Date(last).toISOString()} fell while the master was down or behind`;
    if (row.misfire === 'skip') {
      const t = owed.at(-1)!;
      if ((await this.#fires.claim(e, t, 'misfire', span)) !== null) {
        await this.#fires.settle(e, t, 'misfire', {
          status: 'skipped',
          reason_code: 'misfire',
          reason: `${span}; misfire policy skip`,
          job_id: null,
        });
      }
      return;
    }
    const runs = row.misfire === 'run_once' ? owed.slice(-1) : owed;
    const note =
      row.misfire === 'run_once'
        ? `${span}; misfire policy run_once runs the latest`
        : `${span}; misfire policy backfill runs ${plural(runs.length, 'fire')} within ${row.backfill_window_seconds} s (at most ${row.backfill_max})`;
    const trigger: Trigger = row.misfire === 'run_once' ? 'misfire' : 'backfill';
    for (const t of runs) {
      const jobId = await this.#fires.claim(e, t, trigger, note);
      if (jobId !== null) await this.#fires.decide(e, t, trigger, note, jobId);
    }
  }
}
