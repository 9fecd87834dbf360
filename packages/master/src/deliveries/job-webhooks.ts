/**
 * Job events into the outbox for the webhooks that want them: `job.started`, `job.finished` (every outcome),
 * `job.failed` (finished with any outcome but succeeded or cancelled) and `job.retried` (requeued for another
 * attempt). One row per hook and fact, keyed `<event>:<run id>`, so writing it twice sends it once.
 *
 * Events are in-process: this is a durable consumer (events/durable-consumer.ts, named `webhooks`), so the events
 * of a master that died between a job's commit and the outbox insert are caught up from the database at the next
 * start (a margin before the mark, which the keys make harmless). A caught-up event reaches a hook only after the
 * hook's creation and its replay floor (raised when it is enabled again, when its scope changes and when its log
 * is trimmed): a hook never receives events from before it was there as it is. Caught-up events are enqueued in
 * event order (the outbox sends a hook's rows in that order).
 *
 * A job's items come before its finish: for a hook that takes items, `job.finished` and `job.failed` are written
 * held (due `FINISH_HOLD_MS` later) and the final items pass (item-batches.ts) releases them right after the job's
 * last batch.
 */
import type { Logger } from 'pino';
import type { WebhookEvent } from '@scrapyard/protocol';
import type { ConsumerMarks } from '../db/repos/consumer-marks.js';
import type { DeliveriesRepo, NewDelivery } from '../db/repos/deliveries.js';
import { replayFloorMark } from '../db/repos/delivery-targets.js';
import type { JobHistoryRepo } from '../db/repos/job-history.js';
import type { DomainEvents, Published } from '../events/domain-events.js';
import { DurableConsumer } from '../events/durable-consumer.js';
import { jobEventKey, jobEventPosition, jobHistory, type JobEventType } from '../events/job-history.js';
import { newDeliveryId } from './delivery-id.js';
import { jobLinks } from './links.js';
import type { JobFacts, StoredPayload } from './payloads.js';
import type { TargetCatalog } from './targets.js';

/** Caught up before the mark: covers agent-reported times earlier than the order their events came in. */
const REPLAY_MARGIN_MS = 10 * 60_000;
/**
 * How long a finish waits at most for its job's last items batch (the final items pass releases it sooner, a few
 * seconds after the job ends): a master that dies before that pass still sends the finish, later.
 */
export const FINISH_HOLD_MS = 60_000;
/** Facts of the same instant in the order they happen. */
const EVENT_RANK: Record<WebhookEvent, number> = {
  'job.started': 0,
  'job.retried': 1,
  'job.finished': 2,
  'job.failed': 3,
};

export interface JobFact {
  event: WebhookEvent;
  job: JobFacts;
  at: number;
  data: Record<string, unknown>;
  /** The run the fact is about (the previous run for a retry). */
  keyRun: string;
}

const NOT_FAILED = new Set(['succeeded', 'cancelled']);

export class JobWebhooks {
  readonly #log: Logger;
  readonly #consumer: DurableConsumer<JobEventType>;

  constructor(
    private readonly d: {
      repo: DeliveriesRepo;
      targets: TargetCatalog;
      events: DomainEvents;
      marks: ConsumerMarks;
      history: JobHistoryRepo;
      baseUrl: () => string;
      now: () => number;
      logger: Logger;
      wake: () => void;
    },
  ) {
    this.#log = d.logger.child({ component: 'webhooks' });
    const read = jobHistory(d.history, ['job.started', 'job.finished', 'job.requeued']);
    this.#consumer = new DurableConsumer({
      name: 'webhooks',
      types: ['job.started', 'job.finished', 'job.requeued'],
      events: d.events,
      marks: d.marks,
      // Without hooks there is nobody to catch up for (a hook created later never gets earlier events).
      history: (from, limit) => (d.targets.hasHooks ? read(from, limit) : Promise.resolve([])),
      position: jobEventPosition,
      key: jobEventKey,
      handle: (events, how) => this.#handle(events, how.caughtUp),
      now: d.now,
      logger: d.logger,
      marginMs: REPLAY_MARGIN_MS,
    });
  }

  /** Subscribes and catches up (resolves once what the outbox missed is in it). */
  async start(): Promise<void> {
    await this.#consumer.start();
    await this.#consumer.caughtUp();
  }

  stop(): Promise<void> {
    return this.#consumer.stop();
  }

  #data(job: JobFacts, extra: Record<string, unknown>): Record<string, unknown> {
    return { ...job, ...extra, links: jobLinks(this.d.baseUrl(), job.project, job.spider, job.jobId) };
  }

  #facts(ev: Published<JobEventType>): JobFact[] {
    if (ev.type === 'job.started') {
      const data = this.#data(ev.job, { nodeId: ev.nodeId, attempt: ev.attempt, startedAt: ev.at });
      return [{ event: 'job.started', job: ev.job, at: ev.at, data, keyRun: ev.job.runId }];
    }
    if (ev.type === 'job.requeued') {
      const data = this.#data(ev.job, { previousRunId: ev.previousRunId, attempt: ev.attempt, reason: ev.reason });
      return [{ event: 'job.retried', job: ev.job, at: ev.at, data, keyRun: ev.previousRunId }];
    }
    const data = this.#data(ev.job, {
      nodeId: ev.nodeId,
      attempt: ev.attempt,
      outcome: ev.outcome,
      exitCode: ev.exitCode,
      reason: ev.reason,
      startedAt: ev.startedAt,
      endedAt: ev.endedAt,
    });
    return finishFacts(ev.job, ev.outcome, ev.at, data);
  }

  async #handle(events: Published<JobEventType>[], caughtUp: boolean): Promise<void> {
    if (!this.d.targets.hasHooks) return;
    const facts = events.flatMap((ev) => this.#facts(ev));
    const rows = this.rowsFor(facts, caughtUp ? await this.#floors() : undefined);
    if (rows.length === 0) return;
    const added = await this.d.repo.enqueue(rows);
    this.d.wake();
    if (caughtUp && added > 0) this.#log.info({ added }, 'webhook deliveries caught up after a restart');
  }

  /**
   * Rows for the hooks that want each fact, in event order; `floor` (a replay) gives each hook's earliest event.
   * A finish for a hook that takes items is held until the job's last batch is enqueued (see FINISH_HOLD_MS).
   */
  rowsFor(facts: readonly JobFact[], floor?: (hookId: string) => number): NewDelivery[] {
    const rows: NewDelivery[] = [];
    const now = this.d.now();
    const ordered = [...facts].sort((a, b) => a.at - b.at || EVENT_RANK[a.event] - EVENT_RANK[b.event]);
    // Each hook's rows due strictly one after the other (a finish and its failure share an instant).
    const lastDue = new Map<string, number>();
    for (const f of ordered) {
      for (const hook of this.d.targets.hooksFor(f.job.project, f.job.spider)) {
        if (!hook.events.has(f.event)) continue;
        if (floor && f.at < floor(hook.id)) continue;
        const payload: StoredPayload = { kind: 'event', type: f.event, at: f.at, data: f.data };
        const held = hook.items && (f.event === 'job.finished' || f.event === 'job.failed');
        const due = held ? Math.max(now, f.at) + FINISH_HOLD_MS : f.at;
        const lane = `${hook.id}${held ? ':held' : ''}`;
        const nextAt = Math.max(due, (lastDue.get(lane) ?? -Infinity) + 1);
        lastDue.set(lane, nextAt);
        rows.push({
          id: newDeliveryId(),
          kind: 'webhook',
          target_id: hook.id,
          dedup_key: `${f.event}:${f.keyRun}`,
          event: f.event,
          payload: JSON.stringify(payload),
          next_at: nextAt,
          created_at: now,
        });
      }
    }
    return rows;
  }

  /** Per hook, the earliest event a caught-up event may be for it (see the module comment). */
  async #floors(): Promise<(hookId: string) => number> {
    const marks = await this.d.repo.marksWithPrefix(replayFloorMark(''));
    const floors = new Map<string, number>();
    for (const h of this.d.targets.webhooks()) {
      floors.set(h.id, Math.max(h.createdAt, marks.get(replayFloorMark(h.id)) ?? -Infinity));
    }
    return (id) => floors.get(id) ?? Infinity;
  }
}

function finishFacts(job: JobFacts, outcome: string, at: number, data: Record<string, unknown>): JobFact[] {
  const facts: JobFact[] = [{ event: 'job.finished', job, at, data, keyRun: job.runId }];
  if (!NOT_FAILED.has(outcome)) facts.push({ event: 'job.failed', job, at, data, keyRun: job.runId });
  return facts;
}
