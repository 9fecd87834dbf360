/**
 * Host and per-run metrics, sampled on their own timer and carried by the next heartbeat (one frame per beat,
 * not two). A sample is sent once; a beat with no fresh sample carries none.
 */
import type { Logger } from 'pino';
import type { Heartbeat, HostMetrics, JobMetric } from '@scrapyard/protocol';
import type { JobStore } from '../jobs/job-store.js';
import { HostSampler } from './host-metrics.js';
import { sampleJobs } from './job-metrics.js';

export class MetricsLoop {
  readonly #host: HostSampler;
  #fresh: { host?: HostMetrics; jobs?: JobMetric[] } = {};
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: { store: JobStore; dataDir: string; intervalMs: number; log: Logger }) {
    this.#host = new HostSampler({ dataDir: d.dataDir });
  }

  start(): void {
    if (this.d.intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      void this.#sample().catch((e: unknown) => this.d.log.debug({ err: e }, 'metrics sample failed'));
    }, this.d.intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The latest sample, once. */
  take(): Pick<Heartbeat, 'host' | 'jobs'> {
    const out = this.#fresh;
    this.#fresh = {};
    return out;
  }

  async #sample(): Promise<void> {
    const running = this.d.store
      .all()
      .filter((r) => r.state === 'running' && r.pid !== null)
      .map((r) => ({ runId: r.runId, pid: r.pid! }));
    const [host, jobs] = await Promise.all([
      this.#host.sample().catch((e: unknown) => {
        this.d.log.debug({ err: e }, 'host metrics sample failed');
        return undefined;
      }),
      sampleJobs(running),
    ]);
    this.#fresh = { ...(host ? { host } : {}), ...(jobs.length > 0 ? { jobs } : {}) };
  }
}
