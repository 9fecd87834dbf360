/**
 * What the agent does with each message of an established session: one handler per message type of the protocol
 * catalog (the compiler checks none is missing). Payloads arrive validated, and replies are validated before they
 * are sent (Connection → handleMessage).
 */
import type { Logger } from 'pino';
import type { CredentialRotate, Prewarm, RotateReply, SpiderListReply, SpiderListRequest } from '@scrapyard/protocol';
import type { MasterMessageHandlers } from './connection/connection.js';
import type { JobStore } from './jobs/job-store.js';
import type { Supervisor } from './jobs/supervisor.js';
import type { LogShipper } from './logs/shipper.js';
import type { CacheGc } from './runner/cache-gc.js';
import type { EggCache } from './runner/egg-cache.js';
import type { VenvsReady } from './runner/venv-provider.js';

export interface MasterMessageDeps {
  store: JobStore;
  supervisor: Supervisor;
  shipper: LogShipper;
  eggs: EggCache;
  venvsReady: VenvsReady;
  caches: CacheGc;
  listSpiders: (req: SpiderListRequest) => Promise<SpiderListReply>;
  rotate: (r: CredentialRotate) => RotateReply;
  log: Logger;
}

export function masterMessages(d: MasterMessageDeps): MasterMessageHandlers {
  /** Files of runs the master has fully acknowledged (events and every byte) are no longer needed. */
  const sweepSettled = () => {
    for (const r of d.store.all()) {
      if (d.store.isSettled(r)) {
        d.supervisor.purge(r.runId);
        d.shipper.forget(r.runId);
      }
    }
  };
  const prewarm = async (p: Prewarm) => {
    const started = Date.now();
    await Promise.all([d.eggs.get(p.eggDigest), d.venvsReady().then((v) => v.ensure(p.project, p.requirements))]);
    d.log.info({ project: p.project, version: p.version, ms: Date.now() - started }, 'pre-warmed egg and venv');
  };
  return {
    'job.assign': ({ job }) => d.supervisor.assign(job),
    'job.cancel': (c) => ({ found: d.supervisor.cancel(c.runId, c.signal) }),
    'events.ack': ({ upToSeq }) => {
      d.store.ackEvents(upToSeq);
      sweepSettled();
    },
    'log.ack': (a) => {
      d.store.ackStream(a.runId, a.stream, a.offset);
      d.shipper.rewind(a.runId, a.stream, a.offset);
      sweepSettled();
    },
    'spiders.list': (req) => d.listSpiders(req),
    'eggs.live': (live) => d.caches.onLive(live),
    // Not awaited: the master does not wait for a pre-warm, and later messages must not wait behind it either.
    prewarm: (p) => void prewarm(p).catch((e: unknown) => d.log.warn({ err: e }, 'pre-warm failed')),
    'credential.rotate': (r) => d.rotate(r),
  };
}
