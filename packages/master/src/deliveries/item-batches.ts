/**
 * A crawl's items to the webhooks that want them, in batches of whole lines of its items file, while it runs
 * (full batches, as items arrive) and when it ends (the rest). Each hook's cursor in a run's file is a mark
 * (`items:<hook>:<run>`) moved in the same transaction as the batches it covers, so a restart neither repeats
 * nor skips a batch; a batch is keyed by its offset, so cutting the same range twice sends it once.
 * A job's end reaches this module as `job.finished`, durably (events/durable-consumer.ts, named `webhook-items`):
 * runs that ended while the master was down get their final pass at the next start. The final pass of a run then
 * releases the run's `job.finished` and `job.failed`, held for hooks that take items (job-webhooks.ts, which writes
 * them from the same event; the pass waits for them), so that a receiver gets a job's last batch before its finish.
 */
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ConsumerMarks } from '../db/repos/consumer-marks.js';
import type { DeliveriesRepo } from '../db/repos/deliveries.js';
import type { JobHistoryRepo } from '../db/repos/job-history.js';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { DomainEvents, Published } from '../events/domain-events.js';
import { DurableConsumer } from '../events/durable-consumer.js';
import { jobEventKey, jobEventPosition, jobHistory } from '../events/job-history.js';
import { jobFilePath, type JobFilesConfig } from '../jobs/job-files.js';
import { newDeliveryId } from './delivery-id.js';
import { cutBatches } from './item-range.js';
import { FINISH_HOLD_MS } from './job-webhooks.js';
import type { JobFacts, StoredPayload } from './payloads.js';
import type { TargetCatalog, WebhookTarget } from './targets.js';

/** A batch holds at most this many bytes of items (unless one item alone is larger). */
const MAX_BATCH_BYTES = 1024 * 1024;
/** New items wait this long for more before a pass cuts batches (a busy crawl is read once a second). */
const LIVE_DELAY_MS = 1_000;
/** After a job ends its last chunks may still be arriving: the final pass waits for them to settle. */
const FINAL_DELAY_MS = 2_000;
/** Runs tracked at once; beyond it, the oldest is forgotten (its final pass still runs from the mark). */
const MAX_RUNS = 10_000;
/** Caught up before the mark, as the webhooks' finishes are (job-webhooks.ts). */
const REPLAY_MARGIN_MS = 10 * 60_000;
const NOT_FAILED = new Set(['succeeded', 'cancelled']);

interface RunState {
  job: JobFacts;
  finished: boolean;
  timer: NodeJS.Timeout | null;
  busy: boolean;
  again: boolean;
  /** From its `job.finished`: whether it failed, and until when its final pass waits for the held finish rows. */
  ended: { failed: boolean; waitUntil: number } | null;
  /** Called once its final pass is done. */
  done: (() => void)[];
}

export class ItemBatches {
  readonly #runs = new Map<string, RunState>();
  readonly #log: Logger;
  #unsubscribe: (() => void) | null = null;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #consumer: DurableConsumer<'job.finished'>;

  constructor(
    private readonly d: {
      repo: DeliveriesRepo;
      jobs: JobsRepo;
      targets: TargetCatalog;
      events: DomainEvents;
      marks: ConsumerMarks;
      history: JobHistoryRepo;
      files: JobFilesConfig;
      now: () => number;
      logger: Logger;
      wake: () => void;
    },
  ) {
    this.#log = d.logger.child({ component: 'webhook-items' });
    const read = jobHistory(d.history, ['job.finished']);
    this.#consumer = new DurableConsumer({
      name: 'webhook-items',
      types: ['job.finished'],
      events: d.events,
      marks: d.marks,
      history: (from, limit) => (d.targets.webhooks().some((h) => h.items) ? read(from, limit) : Promise.resolve([])),
      position: jobEventPosition,
      key: jobEventKey,
      handle: (events) => Promise.all(events.map((ev) => this.#finished(ev))).then(() => undefined),
      now: d.now,
      logger: d.logger,
      marginMs: REPLAY_MARGIN_MS,
    });
  }

  async start(): Promise<void> {
    this.#unsubscribe = this.d.events.on('job.output', (ev) => {
      if (ev.stream === 'items') this.#onItems(ev.runId);
    });
    await this.#consumer.start();
  }

  /** Stops; the final passes not done by then are caught up at the next start. */
  stop(): Promise<void> {
    return this.#consumer.stop(async () => {
      this.#unsubscribe?.();
      for (const r of this.#runs.values()) if (r.timer) clearTimeout(r.timer);
      await Promise.allSettled([...this.#inFlight]);
    });
  }

  #hooks(job: JobFacts): WebhookTarget[] {
    return this.d.targets.hooksFor(job.project, job.spider).filter((h) => h.items);
  }

  #onItems(runId: string): void {
    if (!this.d.targets.hasHooks) return;
    const known = this.#runs.get(runId);
    if (known) return this.#schedule(known, known.finished ? FINAL_DELAY_MS : LIVE_DELAY_MS);
    // A run this process hasn't seen start (it started before a restart): learn what it is once.
    const p = this.d.jobs
      .byRunId(runId)
      .then((row) => {
        if (!row || this.#runs.has(runId)) return;
        const job = { jobId: row.job_id, runId, project: row.project, spider: row.spider };
        if (this.#hooks(job).length === 0) return;
        const r = this.#track(job, row.state === 'finished');
        this.#schedule(r, r.finished ? FINAL_DELAY_MS : LIVE_DELAY_MS);
      })
      .catch((e: unknown) => this.#log.warn({ err: e, runId }, 'looking up a run for its items failed'));
    this.#hold(p);
  }

  /** A job ended: its remaining items go once its last chunks have arrived; resolves when they have gone. */
  #finished(ev: Published<'job.finished'>): Promise<void> {
    if (this.#hooks(ev.job).length === 0) return Promise.resolve();
    const r = this.#runs.get(ev.job.runId) ?? this.#track(ev.job, true);
    r.finished = true;
    r.ended = { failed: !NOT_FAILED.has(ev.outcome), waitUntil: this.d.now() + FINISH_HOLD_MS };
    const done = new Promise<void>((resolve) => r.done.push(resolve));
    this.#schedule(r, FINAL_DELAY_MS);
    return done;
  }

  #track(job: JobFacts, finished: boolean): RunState {
    if (this.#runs.size >= MAX_RUNS) {
      const [oldest] = this.#runs.keys();
      if (oldest !== undefined) this.#forget(oldest);
    }
    const r: RunState = { job, finished, timer: null, busy: false, again: false, ended: null, done: [] };
    this.#runs.set(job.runId, r);
    return r;
  }

  #forget(runId: string): void {
    const r = this.#runs.get(runId);
    if (r?.timer) clearTimeout(r.timer);
    this.#runs.delete(runId);
    for (const done of r?.done.splice(0) ?? []) done();
  }

  #schedule(r: RunState, delayMs: number): void {
    if (r.busy) {
      r.again = true;
      return;
    }
    if (r.timer) return;
    r.timer = setTimeout(() => {
      r.timer = null;
      this.#hold(this.#pass(r));
    }, delayMs);
    r.timer.unref();
  }

  #hold(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #pass(r: RunState): Promise<void> {
    r.busy = true;
    // Whether this pass is final is fixed at its start, with the file's size: a job that ends while a live pass
    // runs gets a final pass of its own (its last bytes may have come after this one read the size).
    const final = r.finished;
    try {
      const path = jobFilePath(this.d.files, 'items', r.job.project, r.job.spider, r.job.jobId);
      const size = path
        ? await stat(path).then(
            (s) => s.size,
            () => 0,
          )
        : 0;
      for (const hook of this.#hooks(r.job)) {
        if (path) await this.#cut(r, hook, path, size, final);
        if (final) await this.#releaseFinish(r, hook);
      }
    } catch (e) {
      this.#log.error({ err: e, jobId: r.job.jobId, runId: r.job.runId }, 'cutting item batches failed; retrying');
      r.again = true;
    } finally {
      r.busy = false;
    }
    if (r.again) {
      r.again = false;
      this.#schedule(r, r.finished ? FINAL_DELAY_MS : LIVE_DELAY_MS);
    } else if (final) {
      // Done; a straggler chunk later tracks the run again and continues from the marks.
      this.#forget(r.job.runId);
    }
  }

  /** The run's finish, held for its last batch (now enqueued), goes right after it. */
  async #releaseFinish(r: RunState, hook: WebhookTarget): Promise<void> {
    const run = r.job.runId;
    const keys = [`job.finished:${run}`, `job.failed:${run}`];
    // One ms after the batches cut now: the outbox sends a hook's due rows by next_at.
    await this.d.repo.release(hook.id, keys, this.d.now() + 1);
    this.d.wake();
    // The webhooks write the held finish from the same event: if it isn't there yet, the pass comes back for it.
    const e = r.ended;
    const wanted = e && (hook.events.has('job.finished') || (e.failed && hook.events.has('job.failed')));
    if (wanted && this.d.now() < e.waitUntil && !(await this.d.repo.hasAny(hook.id, keys))) r.again = true;
  }

  async #cut(r: RunState, hook: WebhookTarget, path: string, size: number, final: boolean): Promise<void> {
    const markName = `items:${hook.id}:${r.job.runId}`;
    const from = (await this.d.repo.mark(markName)) ?? 0;
    if (size <= from) return;
    const batches = await cutBatches(path, from, size, hook.itemsPerBatch, MAX_BATCH_BYTES, final);
    if (batches.length === 0) return;
    const now = this.d.now();
    const rows = batches.map((b) => {
      const payload: StoredPayload = {
        kind: 'items',
        at: now,
        job: r.job,
        from: b.from,
        to: b.to,
        count: b.count,
        final: final && b.to === batches[batches.length - 1]!.to,
      };
      return {
        id: newDeliveryId(),
        kind: 'webhook' as const,
        target_id: hook.id,
        dedup_key: `job.items:${r.job.runId}:${b.from}`,
        event: 'job.items',
        payload: JSON.stringify(payload),
        next_at: now,
        created_at: now,
      };
    });
    await this.d.repo.enqueueWithMark(rows, markName, batches[batches.length - 1]!.to);
    this.d.wake();
  }
}
