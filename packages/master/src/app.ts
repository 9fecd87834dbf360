/**
 * Composition root of the master: state, then the one stream of domain events and the agent registry, the job
 * core, the cluster side and the HTTP surfaces (each composed in `compose/`). It never listens; main.ts (and
 * tests) do.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MasterConfig } from './config.js';
import type { Db } from './db/database.js';
import { DomainEvents } from './events/domain-events.js';
import type { CredentialResolver } from './auth/authenticator.js';
import type { NodeCredentials } from './auth/node-auth.js';
import { AgentRegistry } from './registry/registry.js';
import { createAlerts } from './compose/alerts.js';
import { createAudit } from './compose/audit.js';
import { createCluster } from './compose/cluster.js';
import { createDeliveries } from './compose/deliveries.js';
import { createHttpServer } from './compose/http-surfaces.js';
import { createJobCore } from './compose/job-core.js';
import { createPrometheus } from './compose/prometheus.js';
import { createSchedules } from './compose/schedules.js';
import { openStorage } from './compose/storage.js';

export interface MasterApp {
  app: FastifyInstance;
  db: Db;
  /** Credentials accepted by the handshake (the embedded agent registers its own here). */
  nodeKeys: NodeCredentials;
  /** Whether the server speaks TLS (https/wss). */
  tls: boolean;
  /** The domain events: subscribe to learn what happens to jobs, nodes and versions. */
  events: DomainEvents;
  close(): Promise<void>;
}

/** What an embedder adds to the master: credentials beyond the built-in ones (auth/authenticator.ts). */
export interface MasterExtensions {
  resolvers?: readonly CredentialResolver[];
}

export async function buildApp(config: MasterConfig, logger: Logger, ext: MasterExtensions = {}): Promise<MasterApp> {
  const now = Date.now;
  const events = new DomainEvents({ logger, now });
  const storage = await openStorage(config, logger, now, events);
  const registry = new AgentRegistry(events);
  const base = { config, logger, now, storage, events, registry };
  // Before anything publishes: every audited event of this run is recorded.
  const audit = createAudit(base);
  // Subscribed before anything publishes, so start-up work (lost runs finished, misfires) is counted.
  const prometheus = createPrometheus(base);
  const core = createJobCore(base);
  const cluster = await createCluster({ ...base, core });
  // Subscribed before the core starts: what it finishes at start-up (lost runs) is delivered too.
  const deliveries = await createDeliveries(base);
  await deliveries.start();
  const alerts = createAlerts({ ...base, cluster, deliveries });
  await alerts.start();
  await core.start();
  const schedules = createSchedules({ ...base, core });
  await schedules.start();
  await prometheus.start(() => alerts.engine.firing());
  const areas = { core, cluster, schedules, deliveries, alerts, prometheus, audit };
  const { app, tls } = await createHttpServer({ ...base, ...areas, resolvers: ext.resolvers });
  app.addHook('onListen', (done) => {
    const address = app.server.address();
    if (address && typeof address === 'object') deliveries.listeningOn(address.port);
    done();
  });

  return {
    app,
    db: storage.db,
    nodeKeys: cluster.nodeKeys,
    tls,
    events,
    async close() {
      // Order: stop taking agent traffic, stop HTTP, then close files and the database they write to.
      core.stop();
      await schedules.stop();
      await alerts.stop();
      await deliveries.stop();
      prometheus.stop();
      await cluster.gateway.close();
      await app.close();
      await audit.stop();
      await storage.close();
    },
  };
}
