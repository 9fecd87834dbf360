/**
 * Sends what the outbox holds. One timer, armed for the earliest due delivery (and woken when one is enqueued);
 * each pass takes due rows oldest first, at most one in flight per target (so a receiver sees its deliveries in
 * order) and `maxInFlight` overall, each target within its rate (a token bucket; default 1 request/s). A row is
 * claimed with a lease before it is sent, so a master killed mid-attempt tries it again once the lease ends; the
 * claim counts the attempt, so one whose request went out before the crash is never left uncounted.
 * A receiver's rate holds across a restart: each bucket starts from the target's last attempt in the outbox
 * (the claim records its start), not full. A disabled webhook's rows wait in the outbox until it is enabled.
 * Every attempt is recorded (status, latency, error) and announced as `delivery.attempted`.
 */
import type { Logger } from 'pino';
import type { DeliveriesRepo, DeliveryRow } from '../db/repos/deliveries.js';
import type { DomainEvents } from '../events/domain-events.js';
import { StartRateLimiter, type StartRate } from '../jobs/start-rate.js';
import { retryDelayMs } from './backoff.js';
import { SendFailure, sendDelivery, type SendContext } from './senders.js';
import type { Target, TargetCatalog } from './targets.js';

/** A read takes at most this many due rows; a pass reads again, without the targets seen, up to PASS_READS times. */
const PASS_ROWS = 200;
const PASS_READS = 5;
/** Even with nothing due the outbox is looked at this often (rows written by another master, clock jumps). */
const IDLE_POLL_MS = 5_000;

export interface OutboxWorkerDeps {
  repo: DeliveriesRepo;
  targets: TargetCatalog;
  events: DomainEvents;
  send: SendContext;
  logger: Logger;
  now: () => number;
  maxAttempts: number;
  toKeep: number;
  maxInFlight?: number;
}

/** A receiver's rate as a token bucket: bursts of at most max(1, ⌊rate⌋) requests. */
export function bucketOf(ratePerSecond: number): StartRate {
  const count = Math.max(1, Math.floor(ratePerSecond));
  return { count, periodSeconds: count / ratePerSecond };
}

export class OutboxWorker {
  readonly #d: OutboxWorkerDeps;
  readonly #log: Logger;
  readonly #busy = new Set<string>();
  readonly #limiter = new StartRateLimiter();
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #passing = false;
  #again = false;
  #stopped = true;
  /** Whether the buckets were started from the outbox's last attempts (once per start). */
  #seeded = false;
  /** Settled rows per target since the last trim. */
  readonly #settled = new Map<string, number>();

  constructor(d: OutboxWorkerDeps) {
    this.#d = d;
    this.#log = d.logger.child({ component: 'outbox' });
  }

  start(): void {
    this.#stopped = false;
    this.#seeded = false;
    this.wake();
  }

  /** Look for due rows now (after an enqueue, or a target freed). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#passing) {
      this.#again = true;
      return;
    }
    this.#arm(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#inFlight]);
  }

  #arm(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#pass(), Math.max(0, delayMs));
    this.#timer.unref();
  }

  async #pass(): Promise<void> {
    this.#timer = null;
    this.#passing = true;
    let wakeAt = this.#d.now() + IDLE_POLL_MS;
    try {
      if (!this.#seeded) await this.#seed();
      const now = this.#d.now();
      // Targets with nothing to send now: disabled, busy, over their rate (they wake the worker when they may
      // send again). Their rows are left out of the next read, so a backlog of one doesn't hide the others'.
      const skip = new Set(this.#d.targets.heldIds());
      const maxInFlight = this.#d.maxInFlight ?? 32;
      let full = false;
      for (let read = 0; read < PASS_READS; read++) {
        const rows = await this.#d.repo.due(now, PASS_ROWS, [...skip]);
        full = rows.length === PASS_ROWS;
        for (const row of rows) {
          if (this.#inFlight.size >= maxInFlight) break;
          if (skip.has(row.target_id)) continue;
          if (this.#busy.has(row.target_id)) {
            skip.add(row.target_id);
            continue;
          }
          const target = this.#d.targets.get(row.kind, row.target_id);
          if (!target) {
            await this.#settleDead(row, 'its webhook or channel is gone');
            continue;
          }
          const bucket = bucketOf(target.ratePerSecond);
          if (!this.#limiter.allows(target.id, bucket, now)) {
            wakeAt = Math.min(wakeAt, this.#limiter.nextAt(target.id, bucket, now));
            skip.add(target.id);
            continue;
          }
          // The lease outlives the attempt: a request can't take longer than the timeout (plus SMTP's phases).
          const startAt = this.#d.now();
          const leaseUntil = startAt + this.#d.send.timeoutMs * 4 + 5_000;
          if (!(await this.#d.repo.claim(row.id, row.next_at, leaseUntil, startAt))) continue;
          this.#busy.add(target.id);
          skip.add(target.id);
          const p = this.#attempt(row, target).finally(() => {
            // Charged when the attempt ends (one request per receiver is in flight): the next one keeps the
            // interval from this one's answer, however slow the reads, the claim or the receiver were, and a
            // restart seeds the bucket from the same moment (`last_attempt_at`).
            this.#limiter.take(target.id, bucket, this.#d.now());
            this.#busy.delete(target.id);
            this.#inFlight.delete(p);
            this.wake();
          });
          this.#inFlight.add(p);
        }
        if (!full || this.#inFlight.size >= maxInFlight) break;
      }
      if (full && this.#inFlight.size < maxInFlight) wakeAt = Math.min(wakeAt, now + 50);
      const next = await this.#d.repo.nextDueAt([...skip]);
      if (next !== null) wakeAt = Math.min(wakeAt, Math.max(next, now + 10));
    } catch (e) {
      this.#log.error({ err: e }, 'outbox pass failed; trying again shortly');
      wakeAt = this.#d.now() + 1_000;
    } finally {
      this.#passing = false;
    }
    if (this.#again) {
      this.#again = false;
      wakeAt = this.#d.now();
    }
    this.#arm(wakeAt - this.#d.now());
  }

  /**
   * Starts each target's bucket empty at its last attempt, as if this process had made it: the receiver does not
   * know the master restarted, so the first request after a restart keeps the interval too.
   */
  async #seed(): Promise<void> {
    const now = this.#d.now();
    for (const [id, at] of await this.#d.repo.lastAttempts()) {
      const target = this.#d.targets.get('webhook', id) ?? this.#d.targets.get('alert', id);
      if (!target) continue;
      const bucket = bucketOf(target.ratePerSecond);
      for (let i = 0; i < bucket.count; i++) this.#limiter.take(id, bucket, Math.min(at, now));
    }
    this.#seeded = true;
  }

  async #attempt(row: DeliveryRow, target: Target): Promise<void> {
    const started = this.#d.now();
    // The claim counted this attempt already (row is as read before it): the settle writes the same number.
    const attempts = row.attempts + 1;
    let status: number | null = null;
    let error: string | null = null;
    let retryable = true;
    let retryAfterMs: number | null = null;
    try {
      status = await sendDelivery(row, target, this.#d.send);
    } catch (e) {
      if (e instanceof SendFailure) {
        ({ status, retryable, retryAfterMs } = e);
        error = e.message;
      } else {
        error = e instanceof Error ? e.message : String(e);
        retryable = false;
      }
    }
    const ended = this.#d.now();
    const latencyMs = ended - started;
    const base = { attempts, last_attempt_at: ended, last_status: status, last_error: error, latency_ms: latencyMs };
    let result: 'delivered' | 'retrying' | 'dead';
    try {
      if (error === null) {
        result = 'delivered';
        await this.#d.repo.settle(row.id, { ...base, state: 'delivered', delivered_at: ended });
      } else if (retryable && attempts < this.#d.maxAttempts) {
        result = 'retrying';
        const nextAt = ended + retryDelayMs(attempts, retryAfterMs);
        await this.#d.repo.settle(row.id, { ...base, state: 'pending', next_at: nextAt });
      } else {
        result = 'dead';
        await this.#d.repo.settle(row.id, { ...base, state: 'dead' });
      }
    } catch (e) {
      // Not recorded: the lease runs out and the row is tried again (receivers deduplicate on webhook-id).
      this.#log.error({ err: e, deliveryId: row.id }, 'recording a delivery attempt failed');
      return;
    }
    const ctx = {
      deliveryId: row.id,
      kind: row.kind,
      targetId: target.id,
      event: row.event,
      attempts,
      status,
      latencyMs,
    };
    if (result === 'delivered') this.#log.debug(ctx, 'delivered');
    else {
      this.#log.warn(
        { ...ctx, error, result },
        result === 'dead' ? 'delivery failed for good' : 'delivery failed; will retry',
      );
    }
    this.#d.events.publish({
      type: 'delivery.attempted',
      kind: row.kind,
      targetId: target.id,
      result,
      status,
      latencyMs,
    });
    if (result !== 'retrying') await this.#noteSettled(target.id);
  }

  async #settleDead(row: DeliveryRow, why: string): Promise<void> {
    await this.#d.repo.settle(row.id, {
      state: 'dead',
      attempts: row.attempts,
      last_attempt_at: this.#d.now(),
      last_status: null,
      last_error: why,
      latency_ms: null,
    });
  }

  /** Trims a target's log every so often rather than after each delivery. */
  async #noteSettled(targetId: string): Promise<void> {
    const n = (this.#settled.get(targetId) ?? 0) + 1;
    if (n < 100) {
      this.#settled.set(targetId, n);
      return;
    }
    this.#settled.delete(targetId);
    await this.#d.repo
      .trim(targetId, this.#d.toKeep)
      .catch((e: unknown) => this.#log.warn({ err: e }, 'trimming a delivery log failed'));
  }
}
