/**
 * The master's domain events: what happened to jobs, nodes and versions, announced once, after the database
 * commit that made it true, from the one place that does it. Features that react to them (schedules, alerts,
 * webhooks, metrics, the UI's live view) subscribe here instead of hooking into the code paths that cause them.
 *
 * Delivery is in-process and synchronous, in publish order; a subscriber that throws is logged and does not stop
 * the others or the producer. Subscribers that must never miss an event (webhook and alert deliveries) keep their
 * own durable cursor: every event carries a monotonically increasing `seq` and its `at` time, and the state it
 * announces is already committed, so such a consumer writes its outbox row from the event and, after a restart,
 * catches up from the database (e.g. jobs finished after its last delivered one). Producers never change for that.
 */
import type { Logger } from 'pino';
import type { JobOutcome, NodeKind } from '@scrapyard/protocol';

/** Which job and which run of it an event is about. */
export interface JobRef {
  jobId: string;
  runId: string;
  project: string;
  spider: string;
}

export type DomainEvent =
  | { type: 'job.queued'; job: JobRef; priority: number; tags: string[]; attempt: number }
  | { type: 'job.started'; job: JobRef; nodeId: string; pid: number; attempt: number }
  | {
      type: 'job.finished';
      job: JobRef;
      nodeId: string | null;
      attempt: number;
      outcome: JobOutcome;
      exitCode: number | null;
      reason: string | null;
      startedAt: number | null;
      endedAt: number;
    }
  | { type: 'job.requeued'; job: JobRef; previousRunId: string; attempt: number; reason: string }
  | {
      type: 'job.cancelled';
      job: JobRef;
      previousState: 'pending' | 'running';
      /** The signal sent to a running job; null for a pending job removed. */
      signal: string | null;
      why: 'cancelled' | 'project deleted';
    }
  | { type: 'job.resumed'; job: JobRef; nodeId: string }
  | { type: 'node.online'; nodeId: string; kind: NodeKind }
  | { type: 'node.offline'; nodeId: string; kind: NodeKind; lastSeen: number }
  | { type: 'node.cordoned'; nodeId: string; cordoned: boolean }
  | { type: 'node.revoked'; nodeId: string }
  | { type: 'version.added'; project: string; version: string; spiders: string[] }
  | { type: 'version.deleted'; project: string; version: string; projectGone: boolean };

export type EventType = DomainEvent['type'];
/** An event as subscribers see it: numbered and timed by the stream. */
export type Published<T extends EventType = EventType> = Extract<DomainEvent, { type: T }> & {
  seq: number;
  at: number;
};

type Subscriber = (event: Published) => void;

export class DomainEvents {
  readonly #subscribers = new Set<Subscriber>();
  readonly #log: Logger;
  readonly #now: () => number;
  #seq = 0;

  constructor(opts: { logger: Logger; now?: () => number }) {
    this.#log = opts.logger.child({ component: 'events' });
    this.#now = opts.now ?? Date.now;
  }

  /** Announces a committed fact to every subscriber. */
  publish(event: DomainEvent): void {
    const published = { ...event, seq: ++this.#seq, at: this.#now() } as Published;
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(published);
      } catch (e) {
        this.#log.error({ err: e, event: published.type, seq: published.seq }, 'event subscriber failed');
      }
    }
  }

  /** Every event; returns the unsubscribe function. */
  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Events of one type, typed; returns the unsubscribe function. */
  on<T extends EventType>(type: T, handler: (event: Published<T>) => void): () => void {
    return this.subscribe((e) => {
      if (e.type === type) handler(e as Published<T>);
    });
  }
}
