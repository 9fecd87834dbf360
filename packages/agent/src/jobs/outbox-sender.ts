/**
 * Sends the job store's outbox: every event not yet sent on this connection, in order, in batches. After a
 * reconnect everything unacknowledged is sent again (the master applies events idempotently).
 */
import type { JobEvents } from '@scrapyard/protocol';
import type { JobStore } from './job-store.js';

const BATCH = 500;

export class OutboxSender {
  #sentUpTo = 0;

  constructor(
    private readonly store: JobStore,
    /** False when offline or backed up: the rest waits for the next flush. */
    private readonly send: (msg: JobEvents) => boolean,
  ) {}

  /** A new connection: nothing has been sent on it yet. */
  reset(): void {
    this.#sentUpTo = 0;
  }

  flush(): void {
    for (;;) {
      const batch = this.store.outbox(BATCH).filter((e) => e.seq > this.#sentUpTo);
      if (batch.length === 0 || !this.send({ events: batch })) return;
      this.#sentUpTo = batch[batch.length - 1]!.seq;
    }
  }
}
