/**
 * The live tails' view of the domain events: which tail follows which run's output and waits for which job's end.
 * One subscription per event type, taken while any tail is open, then a map lookup per event: an output chunk
 * costs the tails nothing unless one follows its run. (Each tail's access is watched by auth/stream-access.ts.)
 */
import type { DomainEvents, Published } from '../../events/domain-events.js';

export interface Follower {
  readonly stream: 'log' | 'items';
  /** The job followed (its state may have changed: read it again). */
  readonly project: string;
  readonly jobId: string;
  output(): void;
  jobChanged(): void;
}

/** The job events after which a tail reads its job again: it ended, was requeued (new run) or removed. */
const JOB_EVENTS = ['job.finished', 'job.requeued', 'job.cancelled', 'job.started'] as const;

export class TailFollowers {
  readonly #byRun = new Map<string, Set<Follower>>();
  readonly #byJob = new Map<string, Set<Follower>>();
  readonly #runOf = new Map<Follower, string>();
  #off: (() => void)[] = [];

  constructor(private readonly events: DomainEvents) {}

  /** Follows `run`'s output and the job's changes (again with another run after a requeue). */
  follow(f: Follower, run: string): void {
    if (this.#runOf.size === 0) this.#subscribe();
    const before = this.#runOf.get(f);
    if (before !== undefined) remove(this.#byRun, before, f);
    else add(this.#byJob, f.jobId, f);
    this.#runOf.set(f, run);
    add(this.#byRun, run, f);
  }

  unfollow(f: Follower): void {
    const run = this.#runOf.get(f);
    if (run === undefined) return;
    this.#runOf.delete(f);
    remove(this.#byRun, run, f);
    remove(this.#byJob, f.jobId, f);
    if (this.#runOf.size === 0) for (const off of this.#off.splice(0)) off();
  }

  #subscribe(): void {
    this.#off.push(
      this.events.on('job.output', (e) => {
        for (const f of this.#byRun.get(e.runId) ?? []) if (f.stream === e.stream) f.output();
      }),
    );
    const changed = (e: Published<(typeof JOB_EVENTS)[number]>) => {
      for (const f of this.#byJob.get(e.job.jobId) ?? []) if (f.project === e.job.project) f.jobChanged();
    };
    for (const type of JOB_EVENTS) this.#off.push(this.events.on(type, changed));
  }
}

function add(map: Map<string, Set<Follower>>, key: string, f: Follower): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(f);
}

function remove(map: Map<string, Set<Follower>>, key: string, f: Follower): void {
  const set = map.get(key);
  if (set?.delete(f) && set.size === 0) map.delete(key);
}
