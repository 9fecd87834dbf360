/**
 * Composition root of the agent: job store, egg cache, venvs, supervisor, log shipper and the connection.
 * createAgent() is the agent's one public door; the standalone master embeds it unchanged.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import {
  CancelRequest,
  CredentialRotate,
  EggsLive,
  JobAssign,
  LogAck,
  EventsAck,
  Prewarm,
  SpiderListRequest,
  type Heartbeat,
  type HostMetrics,
  type JobMetric,
  type RotateReply,
  type SpiderListReply,
} from '@scrapyard/protocol';
import { AgentConfigSchema, type AgentConfigInput } from './config.js';
import { Connection } from './connection/connection.js';
import { readCredential, writeCredential } from './credential.js';
import { HostSampler } from './metrics/host-metrics.js';
import { sampleJobs } from './metrics/job-metrics.js';
import { JobStore } from './jobs/job-store.js';
import { Supervisor } from './jobs/supervisor.js';
import { LogShipper, type ShipTarget } from './logs/shipper.js';
import { EggCache } from './runner/egg-cache.js';
import { execFileCapture } from './runner/exec.js';
import { withProject } from './runner/crawl-command.js';
import { findPython } from './runner/python.js';
import { VenvManager } from './runner/venv.js';

export const AGENT_VERSION = '0.1.0';
const RUNNER_SCRIPT = fileURLToPath(new URL('../python/scrapyard_runner.py', import.meta.url));
const SHIP_INTERVAL_MS = 200;
const LIST_TIMEOUT_MS = 5 * 60_000;
const GC_INTERVAL_MS = 60 * 60_000;

export interface Agent {
  /** Recovers runs left by a previous process, then connects; resolves once connected (or after 10 s). */
  start(): Promise<void>;
  /** Disconnects and stops watching; running crawls keep running and are re-adopted by the next start. */
  stop(): Promise<void>;
}

export function createAgent(input: AgentConfigInput, deps: { logger: Logger; env?: NodeJS.ProcessEnv }): Agent {
  const config = AgentConfigSchema.parse(input);
  const env = deps.env ?? process.env;
  const log = deps.logger;
  mkdirSync(config.dataDir, { recursive: true });
  const store = new JobStore(config.dataDir);
  const workDir = join(config.dataDir, 'work');
  mkdirSync(workDir, { recursive: true });

  let venvs: Promise<VenvManager> | undefined;
  const venvsReady = () =>
    (venvs ??= findPython(config.python).then((python) => {
      log.info({ python }, 'using python interpreter');
      return new VenvManager(join(config.dataDir, 'venvs'), {
        python,
        systemSitePackages: config.systemSitePackages,
        pipIndexUrl: config.pipIndexUrl,
        pipFindLinks: config.pipFindLinks,
        pipNoIndex: config.pipNoIndex,
        env,
      });
    })).catch((e: unknown) => {
      venvs = undefined; // retry the probe next time (the admin may have installed Python meanwhile)
      throw e;
    });

  const eggs = new EggCache(
    join(config.dataDir, 'eggs'),
    () => conn.httpBase,
    () => conn.sessionToken,
    config.ca,
    config.caIsMasterCert,
  );

  // Metrics: sampled on their own timer, sent with the next heartbeat (one frame per beat, not two).
  const hostSampler = new HostSampler({ dataDir: config.dataDir });
  let fresh: { host?: HostMetrics; jobs?: JobMetric[] } = {};
  const sampleMetrics = async () => {
    const running = store
      .all()
      .filter((r) => r.state === 'running' && r.pid !== null)
      .map((r) => ({ runId: r.runId, pid: r.pid! }));
    const [host, jobs] = await Promise.all([
      hostSampler.sample().catch((e: unknown) => {
        log.debug({ err: e }, 'host metrics sample failed');
        return undefined;
      }),
      sampleJobs(running),
    ]);
    fresh = { ...(host ? { host } : {}), ...(jobs.length > 0 ? { jobs } : {}) };
  };
  const heartbeatExtras = (): Pick<Heartbeat, 'host' | 'jobs'> => {
    const out = fresh;
    fresh = {};
    return out;
  };

  /** Deletes cached eggs no live version uses and no run of ours needs. */
  let lastLive: EggsLive | undefined;
  const collectEggs = (live: EggsLive) => {
    lastLive = live;
    const inUse = new Set(
      store
        .all()
        .map((r) => r.spec.eggDigest)
        .filter((d): d is string => d !== null),
    );
    const removed = eggs.collect(new Set(live.digests), inUse, config.eggKeepMs);
    if (removed.length > 0) log.info({ removed }, 'removed cached eggs of deleted versions');
  };

  /** Deletes venvs no run uses that have not been used for venvKeepMs. */
  const collectVenvs = async () => {
    const v = await venvsReady();
    const inUse = new Set(store.all().map((r) => v.keyOf(r.spec.project, r.spec.requirements)));
    const removed = v.collect(config.venvKeepMs, inUse);
    if (removed.length > 0) log.info({ removed }, 'removed venvs unused for a long time');
  };

  const prewarm = async (p: Prewarm) => {
    const started = Date.now();
    await Promise.all([eggs.get(p.eggDigest), venvsReady().then((v) => v.ensure(p.project, p.requirements))]);
    log.info({ project: p.project, version: p.version, ms: Date.now() - started }, 'pre-warmed egg and venv');
  };

  /** Stores a rotated secret durably before confirming, so the master never accepts a secret we lost. */
  const rotate = (r: CredentialRotate): RotateReply => {
    if (!config.credentialFile) {
      return { ok: false, error: 'this agent has no credential file (embedded or temporary)' };
    }
    try {
      const current = readCredential(config.credentialFile);
      writeCredential(config.credentialFile, { ...current, secret: r.secret, issuedAt: Date.now() });
      conn.setNodeKey(Buffer.from(r.secret, 'hex'));
      log.info('node credential rotated');
      return { ok: true };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };

  let outboxSentUpTo = 0;
  const flushOutbox = () => {
    for (;;) {
      const batch = store.outbox(500).filter((e) => e.seq > outboxSentUpTo);
      if (batch.length === 0 || !conn.send('job.events', { events: batch })) return;
      outboxSentUpTo = batch[batch.length - 1]!.seq;
    }
  };

  const targets = (): ShipTarget[] =>
    store.all().flatMap((r) => {
      if (r.state === 'preparing') return [];
      const files = supervisor.filesOf(r.runId);
      const out: ShipTarget[] = [];
      if (r.spec.log) out.push({ runId: r.runId, stream: 'log', path: files.log });
      if (r.spec.items) out.push({ runId: r.runId, stream: 'items', path: files.items });
      return out;
    });
  const shipper = new LogShipper({ send: (chunk) => conn.send('log.chunk', chunk), targets });

  const supervisor: Supervisor = new Supervisor({
    store,
    eggs,
    runnerScript: RUNNER_SCRIPT,
    runsDir: join(config.dataDir, 'runs'),
    jobsDir: config.jobsDir,
    env,
    logger: log,
    venvsReady,
    drain: () => (conn.connected ? shipper.pump() : Promise.resolve()),
    onEvent: flushOutbox,
  });

  const sweepSettled = () => {
    for (const r of store.all()) {
      if (store.isSettled(r)) {
        supervisor.purge(r.runId);
        shipper.forget(r.runId);
      }
    }
  };

  const listSpiders = async (req: SpiderListRequest): Promise<SpiderListReply> => {
    try {
      const [egg, python] = await Promise.all([
        req.eggDigest === null ? null : eggs.get(req.eggDigest),
        venvsReady().then((v) => v.ensure(req.project, req.requirements)),
      ]);
      const r = await execFileCapture(python, [RUNNER_SCRIPT, 'list', '-s', 'LOG_STDOUT=0'], {
        cwd: workDir,
        env: withProject({ ...env, SCRAPY_PROJECT: req.project, PYTHONIOENCODING: 'UTF-8' }, egg, req.settingsModule),
        timeoutMs: LIST_TIMEOUT_MS,
      });
      if (r.code !== 0) {
        return {
          ok: false,
          error: (r.stderr || r.stdout || `scrapy list exited with ${r.code ?? r.signal}`).trimEnd(),
        };
      }
      return { ok: true, spiders: r.stdout.split(/\r?\n/).filter((s) => s.trim() !== '') };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };

  let firstWelcome: () => void = () => undefined;
  const welcomed = new Promise<void>((resolve) => (firstWelcome = resolve));

  const conn: Connection = new Connection({
    url: config.masterUrl,
    nodeId: config.nodeId,
    nodeKey: config.nodeKey,
    temporary: config.temporary,
    dedicated: config.dedicated,
    ca: config.ca,
    caIsMasterCert: config.caIsMasterCert,
    slots: config.slots,
    tags: config.tags,
    agentVersion: AGENT_VERSION,
    logger: log,
    activeCount: () => supervisor.activeCount,
    handlers: {
      helloState: () => {
        const runs = store.all();
        return {
          running: runs
            .filter((r) => r.state === 'running' && r.pid !== null && r.startedAt !== null)
            .map((r) => ({ runId: r.runId, pid: r.pid!, startedAt: r.startedAt! })),
          known: runs.map((r) => r.runId),
        };
      },
      onWelcome: (w) => {
        outboxSentUpTo = 0;
        shipper.resume(w.resume);
        for (const c of w.cancel) supervisor.cancel(c.runId, c.signal);
        // Bytes before events: a finish the master applies must find the whole log already there.
        void shipper.pump().then(flushOutbox, (e: unknown) => log.error({ err: e }, 'log shipping failed'));
        firstWelcome();
      },
      onMessage: (type, payload, reply) => {
        switch (type) {
          case 'job.assign':
            supervisor.assign(JobAssign.parse(payload).job);
            return;
          case 'job.cancel': {
            const c = CancelRequest.parse(payload);
            reply({ found: supervisor.cancel(c.runId, c.signal) });
            return;
          }
          case 'events.ack':
            store.ackEvents(EventsAck.parse(payload).upToSeq);
            sweepSettled();
            return;
          case 'log.ack': {
            const a = LogAck.parse(payload);
            store.ackStream(a.runId, a.stream, a.offset);
            shipper.rewind(a.runId, a.stream, a.offset);
            sweepSettled();
            return;
          }
          case 'spiders.list':
            void listSpiders(SpiderListRequest.parse(payload)).then(reply);
            return;
          case 'eggs.live':
            collectEggs(EggsLive.parse(payload));
            return;
          case 'prewarm':
            void prewarm(Prewarm.parse(payload)).catch((e: unknown) => log.warn({ err: e }, 'pre-warm failed'));
            return;
          case 'credential.rotate':
            reply(rotate(CredentialRotate.parse(payload)));
            return;
        }
      },
      onDisconnect: () => undefined,
      heartbeatExtras,
    },
  });

  let tick: NodeJS.Timeout | undefined;
  let stopped = false;
  let abortStart: () => void = () => undefined;
  let metricsTick: NodeJS.Timeout | undefined;
  let gcTick: NodeJS.Timeout | undefined;
  return {
    async start() {
      supervisor.recover();
      // Sweep old venvs now too: after a restart the hourly timer alone would keep them up to an hour longer.
      void collectVenvs().catch((e: unknown) => log.warn({ err: e }, 'venv collection failed'));
      conn.start();
      tick = setInterval(() => {
        if (conn.connected) void shipper.pump().catch((e: unknown) => log.error({ err: e }, 'log shipping failed'));
      }, SHIP_INTERVAL_MS);
      // Caches also age out between version changes (a quiet cluster still frees disk).
      gcTick = setInterval(() => {
        if (lastLive) collectEggs(lastLive);
        void collectVenvs().catch((e: unknown) => log.warn({ err: e }, 'venv collection failed'));
      }, GC_INTERVAL_MS).unref();
      if (config.metricsIntervalMs > 0) {
        metricsTick = setInterval(() => {
          void sampleMetrics().catch((e: unknown) => log.debug({ err: e }, 'metrics sample failed'));
        }, config.metricsIntervalMs);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        welcomed,
        new Promise<void>((r) => {
          timer = setTimeout(r, 10_000);
          abortStart = r;
        }),
      ]);
      clearTimeout(timer);
      if (stopped) return;
      // Probe the interpreter early so the first job doesn't pay for it (errors surface on first use).
      void venvsReady().catch((e: unknown) => log.error({ err: e }, 'no usable python interpreter'));
    },
    async stop() {
      stopped = true;
      abortStart();
      clearInterval(tick);
      clearInterval(metricsTick);
      clearInterval(gcTick);
      conn.stop();
      supervisor.stop();
      store.close();
    },
  };
}
