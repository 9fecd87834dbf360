/**
 * Writes audit entries in batches. It subscribes to the audited events directly, not as a durable consumer: the
 * actor and address exist only in the request that published the event (read here, on the publisher's stack), so
 * a catch-up from the database after a crash could not say who did it. The price is the last flush interval of
 * entries on a kill -9 (a clean stop flushes). Entries are queued and written in multi-row INSERTs, at most
 * `flushMs` after they were queued or as soon as a batch is full, one write at a time: schedule.json at thousands
 * a second costs a queue push each, not an INSERT. The queue is bounded; what it cannot hold (a database down for
 * long) is counted and recorded as an `audit.dropped` entry, so the log shows its own gap. Each entry written is
 * announced as `audit.appended` (the admins' live view of the log), as stored: redacted, with its id.
 */
import type { Logger } from 'pino';
import { currentRequest } from '../auth/request-context.js';
import type { AuditRepo, AuditRow, NewAuditRow } from '../db/repos/audit.js';
import type { DomainEvents } from '../events/domain-events.js';
import { AUDITED_EVENTS, SYSTEM, auditEntryOf, type AuditEntryDraft, type AuditedEvent } from './entries.js';
import { entryOf } from './query.js';
import { summaryJson } from './redact.js';

export interface AuditWriterOptions {
  repo: Pick<AuditRepo, 'insert'>;
  events: Pick<DomainEvents, 'on' | 'publish'>;
  logger: Logger;
  now: () => number;
  /** Longest an entry waits for its INSERT. */
  flushMs?: number;
  /** Entries that start a write at once. */
  batchRows?: number;
  /** Entries queued at most; beyond, they are dropped (and counted). */
  maxQueued?: number;
}

const FLUSH_MS = 200;
const BATCH_ROWS = 500;
const MAX_QUEUED = 20_000;

export class AuditWriter {
  readonly #o: AuditWriterOptions;
  readonly #log: Logger;
  #queue: AuditEntryDraft[] = [];
  /** Failed logins queued, by user name and address: a repeat adds to its count instead of a row. */
  #failedLogins = new Map<string, AuditEntryDraft>();
  #dropped = 0;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> | null = null;
  #unsubscribe: (() => void)[] = [];

  constructor(o: AuditWriterOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'audit' });
  }

  start(): void {
    for (const type of AUDITED_EVENTS) {
      this.#unsubscribe.push(this.#o.events.on(type, (e) => this.#onEvent(e)));
    }
  }

  /** Entries dropped since the last write (a full queue or a failed write). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queued, not yet written. */
  get queued(): number {
    return this.#queue.length;
  }

  #onEvent(e: AuditedEvent): void {
    // Runs on the publisher's stack: the request context is the publisher's.
    const entry = auditEntryOf(e, currentRequest());
    if (entry !== null) this.record(entry);
  }

  record(entry: AuditEntryDraft): void {
    const key = entry.action === 'login.failed' ? `${entry.target}\u0000${entry.address}` : null;
    const again = key === null ? undefined : this.#failedLogins.get(key);
    if (again) {
      again.summary.attempts = Number(again.summary.attempts ?? 1) + 1;
      return;
    }
    if (this.#queue.length >= (this.#o.maxQueued ?? MAX_QUEUED)) {
      this.#dropped++;
      return;
    }
    // Redacted when written, off the publisher's stack (the entry's summary is its own object).
    this.#queue.push(entry);
    if (key !== null) this.#failedLogins.set(key, entry);
    this.#schedule();
  }

  /** Writes what is queued now (and waits for a write under way). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#queue.length === 0 && this.#dropped === 0) return;
    await this.#start();
  }

  /** Stops listening and writes what is queued. */
  async close(): Promise<void> {
    for (const u of this.#unsubscribe.splice(0)) u();
    await this.flush();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#writing) return;
    if (this.#queue.length >= (this.#o.batchRows ?? BATCH_ROWS)) {
      // Not on the publisher's stack: the request that fills a batch should not pay for its INSERT.
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.#start(), 0);
    } else {
      this.#timer ??= setTimeout(() => void this.#start(), this.#o.flushMs ?? FLUSH_MS);
    }
    this.#timer.unref();
  }

  #start(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#writing ??= this.#write().finally(() => {
      this.#writing = null;
      if (this.#queue.length > 0) this.#schedule();
    });
    return this.#writing;
  }

  async #write(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#failedLogins = new Map();
    if (this.#dropped > 0) {
      this.#log.warn({ dropped: this.#dropped }, 'audit entries dropped: the queue was full or a write failed');
      batch.push({
        at: this.#o.now(),
        actor: SYSTEM,
        action: 'audit.dropped',
        target: null,
        project: null,
        summary: { entries: this.#dropped },
        address: null,
      });
      this.#dropped = 0;
    }
    let stored: AuditRow[];
    try {
      stored = await this.#o.repo.insert(batch.map(rowOf));
    } catch (e) {
      this.#log.error({ err: e, entries: batch.length }, 'writing audit entries failed');
      this.#dropped += batch.length;
      return;
    }
    for (const row of stored) this.#o.events.publish({ type: 'audit.appended', entry: entryOf(row) });
  }
}

function rowOf(e: AuditEntryDraft): NewAuditRow {
  return {
    at: e.at,
    actor_kind: e.actor.kind,
    actor_id: e.actor.id,
    actor_name: e.actor.name,
    action: e.action,
    target: e.target,
    project: e.project,
    summary: summaryJson(e.summary),
    address: e.address,
  };
}
