/**
 * Garbage collection of the egg and venv caches: eggs no live version uses and no run of ours needs (after
 * eggKeepMs), venvs no run uses that have not been used for venvKeepMs. Swept when the master sends the live egg
 * set, at start-up, and hourly (a quiet cluster still frees disk).
 */
import type { Logger } from 'pino';
import type { EggsLive } from '@scrapyard/protocol';
import type { JobStore } from '../jobs/job-store.js';
import type { EggCache } from './egg-cache.js';
import type { VenvsReady } from './venv-provider.js';

const GC_INTERVAL_MS = 60 * 60_000;

export class CacheGc {
  #lastLive: EggsLive | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly d: {
      store: JobStore;
      eggs: EggCache;
      venvsReady: VenvsReady;
      eggKeepMs: number;
      venvKeepMs: number;
      log: Logger;
    },
  ) {}

  /** The master's live egg set: collect eggs now, and remember it for the hourly sweep. */
  onLive(live: EggsLive): void {
    if (this.#stopped) return; // the store may be closed already
    this.#lastLive = live;
    this.#collectEggs(live);
  }

  start(): void {
    this.#stopped = false;
    // Sweep old venvs now too: after a restart the hourly timer alone would keep them up to an hour longer.
    this.#collectVenvs();
    this.#timer = setInterval(() => {
      if (this.#lastLive) this.#collectEggs(this.#lastLive);
      this.#collectVenvs();
    }, GC_INTERVAL_MS).unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  #collectEggs(live: EggsLive): void {
    const inUse = new Set(
      this.d.store
        .all()
        .map((r) => r.spec.eggDigest)
        .filter((d): d is string => d !== null),
    );
    const removed = this.d.eggs.collect(new Set(live.digests), inUse, this.d.eggKeepMs);
    if (removed.length > 0) this.d.log.info({ removed }, 'removed cached eggs of deleted versions');
  }

  #collectVenvs(): void {
    void this.d
      .venvsReady()
      .then((v) => {
        // Finding the interpreter takes a while: an agent stopped meanwhile has closed its store (a clean stop).
        if (this.#stopped) return;
        const inUse = new Set(this.d.store.all().map((r) => v.keyOf(r.spec.project, r.spec.requirements)));
        const removed = v.collect(this.d.venvKeepMs, inUse);
        if (removed.length > 0) this.d.log.info({ removed }, 'removed venvs unused for a long time');
      })
      .catch((e: unknown) => this.d.log.warn({ err: e }, 'venv collection failed'));
  }
}
