/**
 * The cron field's preview as the user types (pure, framework-free): each change waits `delayMs` of quiet before
 * asking the master, and only the answer to the newest question is shown: a late answer to an older expression
 * never overwrites a newer one.
 */
import type { FireTime } from '@scrapyard/protocol';

export interface PreviewInput {
  cron: string | null;
  intervalSeconds: number | null;
  timezone: string;
}

export interface PreviewAnswer {
  timezone: string;
  description?: string;
  fires: FireTime[];
}

export type PreviewState =
  | { status: 'idle' }
  | { status: 'waiting' }
  | { status: 'ok'; answer: PreviewAnswer }
  | { status: 'error'; error: unknown };

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface PreviewOptions {
  ask(input: PreviewInput): Promise<PreviewAnswer>;
  onChange(state: PreviewState): void;
  delayMs: number;
  timers?: Timers;
}

const REAL_TIMERS: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Nothing to preview: no expression (an interval under a second is refused by the form itself). */
function empty(input: PreviewInput): boolean {
  return (input.cron === null || input.cron.trim() === '') && input.intervalSeconds === null;
}

export class CronPreview {
  private timer: unknown = undefined;
  /** Bumped on every input: an answer carries the number it was asked under. */
  private generation = 0;
  private readonly timers: Timers;

  constructor(private readonly o: PreviewOptions) {
    this.timers = o.timers ?? REAL_TIMERS;
  }

  /** The field changed: ask again after a quiet spell (any question still out becomes stale). */
  input(input: PreviewInput): void {
    const generation = ++this.generation;
    this.cancelTimer();
    if (empty(input)) return this.o.onChange({ status: 'idle' });
    this.o.onChange({ status: 'waiting' });
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.o.ask(input).then(
        (answer) => this.settle(generation, { status: 'ok', answer }),
        (error: unknown) => this.settle(generation, { status: 'error', error }),
      );
    }, this.o.delayMs);
  }

  /** The form is gone: nothing more is asked or told. */
  dispose(): void {
    this.generation++;
    this.cancelTimer();
  }

  private settle(generation: number, state: PreviewState): void {
    if (generation === this.generation) this.o.onChange(state);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
