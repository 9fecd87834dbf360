/**
 * The audit log's retention: entries older than `audit_retention_days`, and the oldest beyond `audit_max_entries`,
 * are deleted at start-up and every few minutes, in batches (a long DELETE would block SQLite's event loop or hold
 * PostgreSQL's locks), at most `maxBatches` per run so a huge backlog is worked off over several runs.
 */
import type { Logger } from 'pino';
import type { AuditRepo } from '../db/repos/audit.js';

export interface AuditRetentionOptions {
  repo: Pick<AuditRepo, 'pruneOlderThan' | 'pruneBeyond'>;
  retentionDays: number;
  maxEntries: number;
  now: () => number;
  logger: Logger;
  everyMs?: number;
  batchRows?: number;
  maxBatches?: number;
}

const EVERY_MS = 10 * 60_000;
const BATCH_ROWS = 5_000;
const MAX_BATCHES = 200;
const DAY_MS = 86_400_000;

export class AuditRetention {
  readonly #o: AuditRetentionOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;

  constructor(o: AuditRetentionOptions) {
    this.#o = o;
  }

  start(): void {
    const run = () =>
      void this.prune().catch((e: unknown) => this.#o.logger.warn({ err: e }, 'pruning the audit log failed'));
    run();
    this.#timer = setInterval(run, this.#o.everyMs ?? EVERY_MS).unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** One run (joins one under way); how many entries went. */
  prune(): Promise<number> {
    this.#running ??= this.#prune().finally(() => (this.#running = null));
    return this.#running;
  }

  async #prune(): Promise<number> {
    const batch = this.#o.batchRows ?? BATCH_ROWS;
    const cutoff = this.#o.now() - this.#o.retentionDays * DAY_MS;
    let deleted = 0;
    let batches = this.#o.maxBatches ?? MAX_BATCHES;
    for (let n = batch; n === batch && batches > 0; batches--) {
      n = await this.#o.repo.pruneOlderThan(cutoff, batch);
      deleted += n;
    }
    for (let n = batch; n === batch && batches > 0; batches--) {
      n = await this.#o.repo.pruneBeyond(this.#o.maxEntries, batch);
      deleted += n;
    }
    if (deleted > 0) this.#o.logger.info({ deleted }, 'audit log pruned');
    return deleted;
  }
}
