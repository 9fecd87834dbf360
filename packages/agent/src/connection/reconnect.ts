/**
 * What the agent does at every (re)connection. In its hello it names the runs it holds; once welcomed it picks
 * up where the master says each stream resumes, applies the cancels it missed, and re-sends what the master may
 * lack in a fixed order: each run's latest (or final) stats, then the log and items bytes, then the outbox of job
 * events. Stats before events, because a run's final stats must reach the master before its `finished`; bytes
 * before events, because a finish the master applies must find the whole log already there.
 */
import type { JobStats, Welcome } from '@scrapyard/protocol';
import type { Logger } from 'pino';
import type { JobStore } from '../jobs/job-store.js';
import type { OutboxSender } from '../jobs/outbox-sender.js';
import type { Supervisor } from '../jobs/supervisor.js';
import type { LogShipper } from '../logs/shipper.js';
import type { StatsChannel } from '../runner/stats-channel.js';
import type { ConnectionHandlers } from './connection.js';

export interface ReconnectDeps {
  store: Pick<JobStore, 'all'>;
  supervisor: Pick<Supervisor, 'cancel' | 'filesOf'>;
  outbox: Pick<OutboxSender, 'reset' | 'flush'>;
  shipper: Pick<LogShipper, 'resume' | 'pump'>;
  liveStats: Pick<StatsChannel, 'latest'>;
  sendStats: (stats: JobStats) => void;
  log: Logger;
}

export interface ReconnectSequence extends Pick<ConnectionHandlers, 'helloState' | 'onWelcome'> {
  /** Settles at the first welcome of this process. */
  readonly firstWelcome: Promise<void>;
}

export function reconnectSequence(d: ReconnectDeps): ReconnectSequence {
  let welcomed: () => void = () => undefined;
  const firstWelcome = new Promise<void>((resolve) => (welcomed = resolve));
  return {
    firstWelcome,
    helloState: () => {
      const runs = d.store.all();
      return {
        running: runs
          .filter((r) => r.state === 'running' && r.pid !== null && r.startedAt !== null)
          .map((r) => ({ runId: r.runId, pid: r.pid!, startedAt: r.startedAt! })),
        known: runs.map((r) => r.runId),
      };
    },
    onWelcome: (w: Welcome) => {
      d.outbox.reset();
      d.shipper.resume(w.resume);
      for (const c of w.cancel) d.supervisor.cancel(c.runId, c.signal);
      for (const r of d.store.all()) {
        if (r.state === 'preparing') continue;
        const stats = d.liveStats.latest(r.runId, d.supervisor.filesOf(r.runId), r.state === 'finished');
        if (stats) d.sendStats(stats);
      }
      void d.shipper.pump().then(
        () => d.outbox.flush(),
        (e: unknown) => d.log.error({ err: e }, 'log shipping failed'),
      );
      welcomed();
    },
  };
}
