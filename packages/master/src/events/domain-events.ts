/**
 * The master's domain events: what happened to jobs, nodes and versions, announced once, after the database
 * commit that made it true, from the one place that does it. Features that react to them (schedules, alerts,
 * webhooks, metrics, the UI's live view) subscribe here instead of hooking into the code paths that cause them.
 *
 * Delivery is in-process and synchronous, events in publish order; a subscriber that throws is logged and does not stop
 * the others or the producer. Every event carries a monotonically increasing `seq` and its `at` time, and the state
 * it announces is already committed: subscribers that must never miss an event are durable consumers
 * (durable-consumer.ts), which catch up from the database after a restart. Producers never change for that.
 */
import type { Logger } from 'pino';
import type { AuditEntry, HostMetrics, JobOutcome, NodeKind } from '@scrapyard/protocol';

/** Which job and which run of it an event is about. */
export interface JobRef {
  jobId: string;
  runId: string;
  project: string;
  spider: string;
}

export type DomainEvent =
  | {
      type: 'job.queued';
      job: JobRef;
      priority: number;
      tags: string[];
      attempt: number;
      /** The schedule whose fire made it (null: a submit of schedule.json or the REST API). */
      scheduleId?: string | null;
      /** The names of its spider arguments and settings (their values may be secrets: never in an event). */
      argNames?: string[];
      settingNames?: string[];
    }
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
  | {
      /** New bytes of a running job's log or items reached the master (its `end` offset now). */
      type: 'job.output';
      runId: string;
      stream: 'log' | 'items';
      end: number;
    }
  | {
      /** A running (or just ended) crawl's Scrapy stats were stored: at most one every second or so per run. */
      type: 'job.stats';
      job: JobRef;
      nodeId: string;
      /** The crawl's last snapshot (its closing dump, or its last report if it died). */
      final: boolean;
      /** When the crawl took the snapshot (the event's own `at` is when it was published). */
      sampledAt: number;
      items: number;
      requests: number;
      responses: number;
      errors: number;
      finishReason: string | null;
    }
  | { type: 'node.online'; nodeId: string; kind: NodeKind }
  | { type: 'node.offline'; nodeId: string; kind: NodeKind; lastSeen: number }
  | { type: 'node.cordoned'; nodeId: string; cordoned: boolean }
  | { type: 'node.revoked'; nodeId: string }
  | {
      /** An enrollment key was created (its secret is never in the event). */
      type: 'node.enrollment';
      enrollKey: string;
      nodeId: string | null;
      expiresAt: number;
    }
  | { type: 'node.registered'; nodeId: string; enrollKey: string; again: boolean }
  | { type: 'node.rotated'; nodeId: string }
  | { type: 'version.added'; project: string; version: string; spiders: string[] }
  | { type: 'version.deleted'; project: string; version: string; projectGone: boolean }
  | {
      type: 'schedule.fired';
      scheduleId: string;
      /** The schedule's project (who may read it, on the live stream). */
      project: string;
      /** The fire's scheduled time (its key in the ledger). */
      scheduledAt: number;
      trigger: 'cron' | 'manual' | 'misfire' | 'backfill';
      /** queued: a job was created; waiting: held behind the previous job; skipped or failed: with the reason. */
      status: 'queued' | 'waiting' | 'skipped' | 'failed';
      reasonCode: string | null;
      reason: string | null;
      jobId: string | null;
    }
  | {
      /** An outgoing delivery (a webhook call or an alert notification) ended an attempt. */
      type: 'delivery.attempted';
      kind: 'webhook' | 'alert';
      /** The webhook or channel it went to. */
      targetId: string;
      /** delivered; retrying (failed, another attempt is due); dead (failed for good: attempts or age exhausted). */
      result: 'delivered' | 'retrying' | 'dead';
      status: number | null;
      latencyMs: number;
    }
  | {
      /** An alert changed state (committed): pending → firing → resolved, or pending → resolved. */
      type: 'alert.changed';
      alertId: string;
      ruleId: string;
      ruleKind: string;
      /** The rule's project; null: a rule of every project or of nodes. */
      project: string | null;
      subject: string;
      state: 'pending' | 'firing' | 'resolved';
    }
  | {
      /** A user, API token or browser session was created or changed (auth/). Never carries a secret. */
      type: 'access.changed';
      entity: 'user' | 'token' | 'session';
      id: string;
      name: string;
      change: 'created' | 'updated' | 'password-changed' | 'disabled' | 'enabled' | 'granted' | 'revoked' | 'deleted';
      /** The user a token or session belongs to (null: a service account's token). */
      userId: string | null;
      /** What changed, for the audit log: names, roles, projects, expiry; never a password or token. */
      summary: Record<string, unknown>;
    }
  | {
      /** A login by password (basic auth or POST /api/v1/session), accepted or refused. */
      type: 'access.login';
      ok: boolean;
      /** As given (at most 200 characters): a refused login may name a user that does not exist. */
      username: string;
      address: string;
      via: 'basic' | 'session';
      reason: string | null;
    }
  | {
      /** A policy, schedule, webhook, channel or alert rule was created, changed or deleted. */
      type: 'config.changed';
      entity: 'policy' | 'schedule' | 'webhook' | 'channel' | 'alert-rule';
      id: string;
      project: string | null;
      change: 'created' | 'updated' | 'deleted';
      /** What changed (names, fields); never a secret (signing secrets, channel credentials). */
      summary: Record<string, unknown>;
    }
  /** A node's host sample reached the master (every metrics interval of its agent, a few seconds). */
  | { type: 'node.host'; nodeId: string; sample: HostMetrics }
  /** An audit entry was written (audit/writer.ts), as the REST API lists it: redacted, with its id. */
  | { type: 'audit.appended'; entry: AuditEntry };

export type EventType = DomainEvent['type'];
/** An event as subscribers see it: numbered and timed by the stream. */
export type Published<T extends EventType = EventType> = Extract<DomainEvent, { type: T }> & {
  seq: number;
  at: number;
};

type Subscriber = (event: Published) => void;

export class DomainEvents {
  readonly #all = new Set<Subscriber>();
  /** Subscribers of one type, so publishing (on schedule.json's hot path) calls only those that want it. */
  readonly #byType = new Map<EventType, Set<Subscriber>>();
  readonly #log: Logger;
  readonly #now: () => number;
  #seq = 0;

  constructor(opts: { logger: Logger; now?: () => number }) {
    this.#log = opts.logger.child({ component: 'events' });
    this.#now = opts.now ?? Date.now;
  }

  /** Announces a committed fact to every subscriber. */
  publish(event: DomainEvent): void {
    const typed = this.#byType.get(event.type);
    if (this.#all.size === 0 && !typed) return;
    const published = { ...event, seq: ++this.#seq, at: this.#now() } as Published;
    for (const subscriber of this.#all) this.#deliver(subscriber, published);
    if (typed) for (const subscriber of typed) this.#deliver(subscriber, published);
  }

  /** Every event; returns the unsubscribe function. */
  subscribe(subscriber: Subscriber): () => void {
    this.#all.add(subscriber);
    return () => this.#all.delete(subscriber);
  }

  /** Events of one type, typed; returns the unsubscribe function. */
  on<T extends EventType>(type: T, handler: (event: Published<T>) => void): () => void {
    let set = this.#byType.get(type);
    if (!set) this.#byType.set(type, (set = new Set()));
    const subscriber = handler as Subscriber;
    set.add(subscriber);
    return () => set.delete(subscriber);
  }

  #deliver(subscriber: Subscriber, event: Published): void {
    try {
      subscriber(event);
    } catch (e) {
      this.#log.error({ err: e, event: event.type, seq: event.seq }, 'event subscriber failed');
    }
  }
}
