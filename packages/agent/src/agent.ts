/**
 * Composition root of the agent: job store, caches, supervisor, log shipper and the connection, wired together.
 * Each part lives in its own module; this file only connects them. createAgent() is the agent's one public door;
 * the standalone master embeds it unchanged.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { AgentConfigSchema, type AgentConfigInput } from './config.js';
import { Connection } from './connection/connection.js';
import { reconnectSequence } from './connection/reconnect.js';
import { credentialRotation } from './credential-rotation.js';
import { JobStore } from './jobs/job-store.js';
import { OutboxSender } from './jobs/outbox-sender.js';
import { Supervisor } from './jobs/supervisor.js';
import { LogShipper, type ShipTarget } from './logs/shipper.js';
import { masterMessages } from './master-messages.js';
import { MetricsLoop } from './metrics/metrics-loop.js';
import { CacheGc } from './runner/cache-gc.js';
import { checkReachable, resolveCrawlIdentity } from './runner/crawl-identity.js';
import { EggCache } from './runner/egg-cache.js';
import { prepareDataDir } from './runner/private-layout.js';
import { crawlBaseEnv } from './runner/safe-env.js';
import { spiderLister } from './runner/spider-lister.js';
import { StatsChannel } from './runner/stats-channel.js';
import { venvProvider } from './runner/venv-provider.js';

export const AGENT_VERSION = '0.1.0';
const RUNNER_SCRIPT = fileURLToPath(new URL('../python/scrapyard_runner.py', import.meta.url));
const SHIP_INTERVAL_MS = 200;
const START_WAIT_MS = 10_000;

export interface Agent {
  /** Recovers runs left by a previous process, then connects; resolves once connected (or after 10 s). */
  start(): Promise<void>;
  /** Disconnects and stops watching; running crawls keep running and are re-adopted by the next start. */
  stop(): Promise<void>;
}

/**
 * Throws a CrawlIdentityError (code CRAWL_USER_INVALID) when `crawlUser` can't be used: unknown user, agent not
 * running as root, data dir out of the user's reach.
 */
export function createAgent(input: AgentConfigInput, deps: { logger: Logger; env?: NodeJS.ProcessEnv }): Agent {
  const config = AgentConfigSchema.parse(input);
  const log = deps.logger;
  // Crawl code (eggs' spiders, setup.py run by pip, `scrapy list`) sees an allowlist of the daemon's environment
  // and what the user passes through on purpose, never the daemons' credentials (safe-env.ts).
  const env = crawlBaseEnv(deps.env ?? process.env, config.crawlEnvPassthrough);
  const identity = resolveCrawlIdentity(config.crawlUser, config.crawlGroup);
  prepareDataDir(config.dataDir, identity);
  if (identity) checkReachable(identity, config.dataDir, RUNNER_SCRIPT);
  const store = new JobStore(config.dataDir);
  const venvsReady = venvProvider(config, { env, identity, log });
  const eggs = new EggCache(
    join(config.dataDir, 'eggs'),
    () => conn.httpBase,
    () => conn.sessionToken,
    config.ca,
    config.caIsMasterCert,
  );
  const caches = new CacheGc({
    store,
    eggs,
    venvsReady,
    eggKeepMs: config.eggKeepMs,
    venvKeepMs: config.venvKeepMs,
    log,
  });
  const metrics = new MetricsLoop({ store, dataDir: config.dataDir, intervalMs: config.metricsIntervalMs, log });
  const outbox = new OutboxSender(store, (msg) => conn.send('job.events', msg));

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
  const pump = () => shipper.pump().catch((e: unknown) => log.error({ err: e }, 'log shipping failed'));

  // Live stats are telemetry: sent when connected, else dropped; the latest (and the final) are re-sent on welcome.
  const liveStats = new StatsChannel({
    identity,
    logger: log,
    forward: (stats) => {
      if (conn.connected) conn.send('job.stats', stats);
    },
  });

  const supervisor: Supervisor = new Supervisor({
    store,
    eggs,
    runnerScript: RUNNER_SCRIPT,
    runsDir: join(config.dataDir, 'runs'),
    jobsDir: config.jobsDir,
    env,
    identity,
    logger: log,
    venvsReady,
    drain: () => (conn.connected ? shipper.pump() : Promise.resolve()),
    onEvent: () => outbox.flush(),
    stats: liveStats,
  });

  const reconnect = reconnectSequence({
    store,
    supervisor,
    outbox,
    shipper,
    liveStats,
    sendStats: (stats) => conn.send('job.stats', stats),
    log,
  });

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
      helloState: reconnect.helloState,
      onWelcome: reconnect.onWelcome,
      messages: masterMessages({
        store,
        supervisor,
        shipper,
        eggs,
        venvsReady,
        caches,
        listSpiders: spiderLister({
          eggs,
          venvsReady,
          runnerScript: RUNNER_SCRIPT,
          workDir: join(config.dataDir, 'work'),
          env,
          identity,
        }),
        rotate: credentialRotation({
          credentialFile: config.credentialFile,
          useKey: (key) => conn.setNodeKey(key),
          log,
        }),
        log,
      }),
      onDisconnect: () => undefined,
      heartbeatExtras: () => metrics.take(),
    },
  });

  let tick: NodeJS.Timeout | undefined;
  let stopped = false;
  let abortStart: () => void = () => undefined;
  return {
    async start() {
      supervisor.recover();
      caches.start();
      conn.start();
      tick = setInterval(() => {
        if (conn.connected) void pump();
      }, SHIP_INTERVAL_MS);
      metrics.start();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        reconnect.firstWelcome,
        new Promise<void>((r) => {
          timer = setTimeout(r, START_WAIT_MS);
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
      metrics.stop();
      caches.stop();
      conn.stop();
      supervisor.stop();
      store.close();
    },
  };
}
