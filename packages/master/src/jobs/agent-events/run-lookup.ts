/**
 * Job identity by run id for the messages of running jobs: one lookup per run, not per chunk. A run leaves the
 * cache when it ends, is requeued (its run id stops existing) or resumes (its row changed).
 */
import type { JobRow } from '../../db/repos/jobs.js';
import type { DomainEvents } from '../../events/domain-events.js';
import type { JobService } from '../job-service.js';

/** Calls `forget` with the run id of every run whose cached state is no longer true. */
export function onRunGone(events: DomainEvents, forget: (runId: string) => void): void {
  events.on('job.finished', (e) => forget(e.job.runId));
  events.on('job.requeued', (e) => forget(e.previousRunId));
  events.on('job.resumed', (e) => forget(e.job.runId));
}

export class RunLookup {
  /** Rows of runs not finished when looked up. */
  readonly #rows = new Map<string, JobRow>();
  readonly #jobs: Pick<JobService, 'byRunId'>;

  constructor(o: { jobs: Pick<JobService, 'byRunId'>; events: DomainEvents }) {
    this.#jobs = o.jobs;
    onRunGone(o.events, (runId) => this.#rows.delete(runId));
  }

  async get(runId: string): Promise<JobRow | undefined> {
    let row = this.#rows.get(runId);
    if (!row) {
      row = await this.#jobs.byRunId(runId);
      if (row && row.state !== 'finished') this.#rows.set(runId, row);
    }
    return row;
  }

  /** True while the run is known and has not ended (its output is live). */
  isLive(runId: string): boolean {
    return this.#rows.has(runId);
  }
}
