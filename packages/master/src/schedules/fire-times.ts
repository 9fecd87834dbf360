/**
 * When a schedule fires. Cron expressions go to croner, which handles time zones and daylight-saving changes as
 * cron does: a fixed time (`30 2 * * *`) that falls in the spring-forward gap runs right after it, and one that
 * occurs twice when clocks go back runs once; wildcard and step expressions run on both occurrences of a repeated
 * time. Intervals count from the schedule's start (or creation). Fires are kept within [startAt, endAt).
 * Pure: the caller passes every time, so tests use any clock.
 */
import { Cron } from 'croner';
import { CatalogueError } from '@scrapyard/protocol';
import { cronProblem } from './cron-text.js';

export interface Timing {
  cron: string | null;
  intervalSeconds: number | null;
  timezone: string;
  startAt: number | null;
  endAt: number | null;
  /** Where intervals count from when there is no startAt (the schedule's creation). */
  anchor: number;
}

export class FireTimes {
  readonly #t: Timing;
  readonly #cron: Cron | null;

  private constructor(t: Timing, cron: Cron | null) {
    this.#t = t;
    this.#cron = cron;
  }

  /** Compiles a schedule's timing; an invalid expression is a 400 naming the problem. */
  static of(t: Timing): FireTimes {
    if (t.cron === null) return new FireTimes(t, null);
    try {
      return new FireTimes(
        t,
        new Cron(t.cron, { timezone: t.timezone, mode: '5-or-6-parts', paused: true, fixedTimeRule: 'no-wildcard' }),
      );
    } catch (e) {
      throw new CatalogueError('BAD_REQUEST', cronProblem(t.cron, (e as Error).message), {
        field: 'cron',
        value: t.cron,
      });
    }
  }

  /** The first fire strictly after `after`, or null when none is left. */
  next(after: number): number | null {
    const { startAt, endAt } = this.#t;
    const from = startAt !== null ? Math.max(after, startAt - 1) : after;
    let at: number | null;
    if (this.#cron) {
      at = this.#cron.nextRun(new Date(from))?.getTime() ?? null;
    } else {
      const step = this.#t.intervalSeconds! * 1000;
      const anchor = startAt ?? this.#t.anchor;
      at = from < anchor ? anchor : anchor + (Math.floor((from - anchor) / step) + 1) * step;
    }
    return at !== null && (endAt === null || at < endAt) ? at : null;
  }

  /** Fires in (after, upTo], oldest first, at most `cap` of them; `more` says the cap cut the list. */
  between(after: number, upTo: number, cap: number): { times: number[]; more: boolean } {
    const times: number[] = [];
    let at = this.next(after);
    while (at !== null && at <= upTo) {
      if (times.length === cap) return { times, more: true };
      times.push(at);
      at = this.next(at);
    }
    return { times, more: false };
  }

  /** The next `count` fires after `after`. */
  upcoming(after: number, count: number): number[] {
    const out: number[] = [];
    let at = this.next(after);
    while (at !== null && out.length < count) {
      out.push(at);
      at = this.next(at);
    }
    return out;
  }

  /** `at` as local time in the schedule's zone with its offset, e.g. `2026-10-25T02:30:00+01:00`. */
  local(at: number): string {
    return localTime(at, this.#t.timezone);
  }
}

export function localTime(at: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}
