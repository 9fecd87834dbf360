/**
 * When each pending run became eligible to start (queued, or requeued and past its backoff), so that its start
 * can be observed as a dispatch latency. Kept in memory from the job events; a run it does not know (more pending
 * runs than the bound, or queued before a restart) is asked of the caller's fallback, which reads the job's row.
 *
 * Bounded: at most `max` runs; beyond, new runs are not kept (their starts use the fallback).
 */

export class QueueClock {
  readonly #eligibleAt = new Map<string, number>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#eligibleAt.size;
  }

  /** The run can be placed from `at` on. A later time (a backoff learned after the event) replaces an earlier. */
  eligible(runId: string, at: number): void {
    const known = this.#eligibleAt.get(runId);
    if (known !== undefined) {
      if (at > known) this.#eligibleAt.set(runId, at);
    } else if (this.#eligibleAt.size < this.#max) {
      this.#eligibleAt.set(runId, at);
    }
  }

  /** Whether the run is still waiting here (a backoff lookup that comes back late must not re-add it). */
  has(runId: string): boolean {
    return this.#eligibleAt.has(runId);
  }

  /** The run started (or left the queue otherwise): returns when it became eligible, if known, and forgets it. */
  take(runId: string): number | undefined {
    const at = this.#eligibleAt.get(runId);
    this.#eligibleAt.delete(runId);
    return at;
  }
}

/**
 * When a run found in the database (the fallback) became eligible: its creation, or its backoff's end. A retry
 * without a backoff (attempt > 1) has no recorded requeue time, so it is not measured.
 */
export function eligibleFromRow(row: {
  created_at: number;
  not_before: number | null;
  attempt: number;
}): number | null {
  if (row.not_before !== null) return Math.max(row.created_at, row.not_before);
  return row.attempt === 1 ? row.created_at : null;
}
