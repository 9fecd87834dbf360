/**
 * Job events into the outbox for the webhooks that want them: `job.started`, `job.finished` (every outcome),
 * `job.failed` (finished with any outcome but succeeded or cancelled) and `job.retried` (requeued for another
 * attempt). One row per hook and fact, keyed `<event>:<run id>`, so writing it twice sends it once.
 *
 * Events are in-process: a master that dies between a job's commit and the outbox insert would lose that
 * delivery, so the producer keeps a mark of how far the outbox is written (`delivery_marks.jobs`) and a start
 * replays the jobs finished, started and requeued since then (a margin earlier), which the keys make harmless.
 * For each hook the replay stays after the hook's creation and its replay floor (raised when it is enabled again,
 * when its scope changes and when its log is trimmed): a hook never receives events from before it was there as it
 * is. Replayed events are enqueued in event order (the outbox sends a hook's rows in that order).
 *
 * A job's items come before its finish: for a hook that takes items, `job.finished` and `job.failed` are written
 * held (due `FINISH_HOLD_MS` later) and the final items pass releases them right after the job's last batch.
 */
import type { Logger } from 'pino';
import type { WebhookEvent } from '@scrapyard/protocol';
import { replayFloorMark, type DeliveriesRepo, type NewDelivery } from '../db/repos/deliveries.js';
import type { DomainEvents, Published } from '../events/domain-events.js';
import { newDeliveryId } from './delivery-id.js';
import type { ItemBatches } from './item-batches.js';
import { jobLinks } from './links.js';
import type { JobFacts, StoredPayload } from './payloads.js';
import type { TargetCatalog } from './targets.js';

const MARK = 'jobs';
/** Replayed before the mark: covers events in flight when it was written and agent-reported times. */
const REPLAY_MARGIN_MS = 10 * 60_000;
/** Jobs replayed at most per kind at a start (a master down for days doesn't flood receivers with history). */
const REPLAY_MAX = 10_000;
const MARK_EVERY_MS = 2_000;
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
  readonly #pending = new Map<number, number>();
  #nextTicket = 0;
  #markTimer: NodeJS.Timeout | null = null;
  readonly #log: Logger;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly d: {
      repo: DeliveriesRepo;
      targets: TargetCatalog;
      events: DomainEvents;
      items: ItemBatches;
      baseUrl: () => string;
      now: () => number;
      logger: Logger;
      wake: () => void;
    },
  ) {
    this.#log = d.logger.child({ component: 'webhooks' });
  }

  async start(): Promise<void> {
    const e = this.d.events;
    this.#unsubscribe.push(
      e.on('job.started', (ev) => this.#onStarted(ev)),
      e.on('job.finished', (ev) => this.#onFinished(ev)),
      e.on('job.requeued', (ev) => this.#onRequeued(ev)),
    );
    await this.#replay();
    this.#markTimer = setInterval(() => void this.#writeMark(), MARK_EVERY_MS).unref();
  }

  async stop(): Promise<void> {
    for (const u of this.#unsubscribe.splice(0)) u();
    if (this.#markTimer) clearInterval(this.#markTimer);
    await this.#writeMark();
  }

  #data(job: JobFacts, extra: Record<string, unknown>): Record<string, unknown> {
    return { ...job, ...extra, links: jobLinks(this.d.baseUrl(), job.project, job.spider, job.jobId) };
  }

  #onStarted(ev: Published<'job.started'>): void {
    const data = this.#data(ev.job, { nodeId: ev.nodeId, attempt: ev.attempt, startedAt: ev.at });
    this.#write([{ event: 'job.started', job: ev.job, at: ev.at, data, keyRun: ev.job.runId }], ev.at);
  }

  #onFinished(ev: Published<'job.finished'>): void {
    const data = this.#data(ev.job, {
      nodeId: ev.nodeId,
      attempt: ev.attempt,
      outcome: ev.outcome,
      exitCode: ev.exitCode,
      reason: ev.reason,
      startedAt: ev.startedAt,
      endedAt: ev.endedAt,
    });
    // The items' final pass starts once the held finish is written, so that it finds it to release.
    this.#write(finishFacts(ev.job, ev.outcome, ev.at, data), ev.at, () => this.d.items.finished(ev.job));
  }

  #onRequeued(ev: Published<'job.requeued'>): void {
    const data = this.#data(ev.job, { previousRunId: ev.previousRunId, attempt: ev.attempt, reason: ev.reason });
    this.#write([{ event: 'job.retried', job: ev.job, at: ev.at, data, keyRun: ev.previousRunId }], ev.at);
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

  #write(facts: JobFact[], at: number, then?: () => void): void {
    const rows = this.d.targets.hasHooks ? this.rowsFor(facts) : [];
    if (rows.length === 0) {
      then?.();
      return;
    }
    const ticket = this.#nextTicket++;
    this.#pending.set(ticket, at);
    this.d.repo
      .enqueue(rows)
      .then(() => this.d.wake())
      .catch((e: unknown) =>
        this.#log.error(
          { err: e, jobId: facts[0]?.job.jobId, event: facts[0]?.event },
          'writing webhook deliveries failed; a restart replays them',
        ),
      )
      .finally(() => {
        this.#pending.delete(ticket);
        then?.();
      });
  }

  /** Per hook, the earliest event a replay from `since` may send it (see the module comment). */
  async #floors(since: number): Promise<(hookId: string) => number> {
    const marks = await this.d.repo.marksWithPrefix(replayFloorMark(''));
    const floors = new Map<string, number>();
    for (const h of this.d.targets.webhooks()) {
      floors.set(h.id, Math.max(since, h.createdAt, marks.get(replayFloorMark(h.id)) ?? -Infinity));
    }
    return (id) => floors.get(id) ?? Infinity;
  }

  /** Everything before the mark is in the outbox: the oldest write still in flight, or now. */
  async #writeMark(): Promise<void> {
    let at = this.d.now();
    for (const t of this.#pending.values()) at = Math.min(at, t);
    await this.d.repo
      .setMark(MARK, at)
      .catch((e: unknown) => this.#log.warn({ err: e }, 'writing the webhook mark failed'));
  }

  async #replay(): Promise<void> {
    const mark = await this.d.repo.mark(MARK);
    if (mark === null) {
      // First start with webhooks: history is not sent.
      await this.d.repo.setMark(MARK, this.d.now());
      return;
    }
    if (!this.d.targets.hasHooks) return;
    const since = mark - REPLAY_MARGIN_MS;
    const facts: JobFact[] = [];
    const finished: JobFacts[] = [];
    const runs = await this.d.repo.replay.jobsSince(since, REPLAY_MAX);
    for (const r of runs) {
      const job = { jobId: r.job_id, runId: r.run_id, project: r.project, spider: r.spider };
      if (r.started_at !== null && r.started_at >= since) {
        const data = this.#data(job, { nodeId: r.node_id, attempt: r.attempt, startedAt: r.started_at });
        facts.push({ event: 'job.started', job, at: r.started_at, data, keyRun: r.run_id });
      }
      if (r.state === 'finished' && r.ended_at !== null && r.ended_at >= since && r.outcome !== null) {
        const data = this.#data(job, {
          nodeId: r.node_id,
          attempt: r.attempt,
          outcome: r.outcome,
          exitCode: r.exit_code,
          reason: r.reason,
          startedAt: r.started_at,
          endedAt: r.ended_at,
        });
        facts.push(...finishFacts(job, r.outcome, r.ended_at, data));
        finished.push(job);
      }
    }
    for (const a of await this.d.repo.replay.attemptsSince(since, REPLAY_MAX)) {
      const job = { jobId: a.job_id, runId: a.current_run_id, project: a.project, spider: a.spider };
      const data = this.#data(job, { previousRunId: a.run_id, attempt: a.attempt + 1, reason: a.reason });
      facts.push({ event: 'job.retried', job, at: a.ended_at, data, keyRun: a.run_id });
    }
    const added = await this.d.repo.enqueue(this.rowsFor(facts, await this.#floors(since)));
    if (added > 0) this.#log.info({ added, since }, 'webhook deliveries replayed after a restart');
    // After the enqueue: the final items passes release the finishes held for their last batches.
    for (const job of finished) this.d.items.finished(job);
    this.d.wake();
  }
}

function finishFacts(job: JobFacts, outcome: string, at: number, data: Record<string, unknown>): JobFact[] {
  const facts: JobFact[] = [{ event: 'job.finished', job, at, data, keyRun: job.runId }];
  if (!NOT_FAILED.has(outcome)) facts.push({ event: 'job.failed', job, at, data, keyRun: job.runId });
  return facts;
}
