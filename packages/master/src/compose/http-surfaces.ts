/**
 * The HTTP server and its surfaces: the Scrapyd API and pages, the REST API with the live tail, the agent routes
 * (registration, eggs) and Prometheus /metrics, all behind the one authentication module. The gateway shares the
 * server.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadOrCreateAdminToken } from '../auth/admin-token.js';
import { ApiTokenResolver } from '../auth/api-token-resolver.js';
import { ApiTokens } from '../auth/api-tokens.js';
import { Authenticator } from '../auth/authenticator.js';
import { TokenLastUse } from '../auth/token-last-use.js';
import { createApiTokensRepo } from '../db/repos/api-tokens.js';
import { crossSiteGuard } from '../auth/http-guards.js';
import type { MasterConfig } from '../config.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { AgentRegistry } from '../registry/registry.js';
import { agentEggRoutes } from '../routes/agent/eggs.js';
import { agentRegisterRoutes } from '../routes/agent/register.js';
import { metricsRoute } from '../metrics-export/route.js';
import { apiPlugin } from '../routes/api/plugin.js';
import { scrapydPlugin } from '../routes/scrapyd/plugin.js';
import { tokenRoutes } from '../routes/api/tokens.js';
import type { Alerts } from './alerts.js';
import { capConnections } from './connection-caps.js';
import type { Cluster } from './cluster.js';
import type { Deliveries } from './deliveries.js';
import type { JobCore } from './job-core.js';
import type { Prometheus } from './prometheus.js';
import type { Schedules } from './schedules.js';
import type { Storage } from './storage.js';

export interface HttpDeps {
  config: MasterConfig;
  logger: Logger;
  now: () => number;
  storage: Storage;
  events: DomainEvents;
  registry: AgentRegistry;
  core: JobCore;
  cluster: Cluster;
  schedules: Schedules;
  deliveries: Deliveries;
  alerts: Alerts;
  prometheus: Prometheus;
}

export async function createHttpServer({
  config,
  logger,
  now,
  storage: s,
  events,
  registry,
  core,
  cluster,
  schedules,
  deliveries,
  alerts,
  prometheus,
}: HttpDeps) {
  const tokenRepo = createApiTokensRepo(s.db);
  const tokenLastUse = new TokenLastUse({ repo: tokenRepo, now, logger });
  const tokens = new ApiTokens({ repo: tokenRepo, events, now });
  const auth = new Authenticator({
    username: config.username,
    password: config.password,
    adminToken: loadOrCreateAdminToken(config.dataDir, logger),
    nodeForSessionToken: (token) => registry.byToken(token)?.nodeId,
    metricsToken: config.metricsToken,
    // Tokens first: they answer a password that is no token from its shape alone, without a lookup.
    resolvers: [new ApiTokenResolver({ repo: tokenRepo, events, lastUse: tokenLastUse, now })],
  });
  const tls = config.tlsCert !== '';
  // The https server type differs only in its TLS options; routes and the gateway see the same API.
  const app = Fastify({
    ...(tls ? { https: { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } } : {}),
    // Per-request access logs at info would dominate the log at thousands of schedules a second: warn and up only.
    loggerInstance: logger.child(
      { component: 'http' },
      { level: logger.level === 'debug' || logger.level === 'trace' ? logger.level : 'warn' },
    ) as FastifyBaseLogger,
    // Small by default; the Scrapyd plugin reads addversion.json's large bodies itself (upload_limit_bytes), so an
    // oversized upload still gets a JSON answer.
    bodyLimit: config.bodyLimitBytes,
    // Keep-alive clients (load generators, ScrapydWeb) must not be cut off mid-run.
    keepAliveTimeout: 65_000,
  }) as unknown as FastifyInstance;
  // Every request carries its principal once identified; declared up front so requests keep one shape (V8).
  app.decorateRequest('principal', undefined);
  app.addHook('onClose', () => tokenLastUse.close());
  capConnections(app.server, {
    max: config.maxConnections,
    perAddress: config.maxConnectionsPerIp,
    logger: logger.child({ component: 'http' }),
  });
  // On the root, before every surface: no state changes from other sites' pages (auth/http-guards.ts).
  app.addHook('onRequest', crossSiteGuard({ corsOrigins: config.corsOrigins, publicUrl: config.publicUrl }));
  cluster.gateway.attach(app.server);
  await app.register(agentEggRoutes, { auth, eggs: s.eggs });
  await app.register(agentRegisterRoutes, { admin: cluster.nodeAdmin });
  await app.register(metricsRoute, { auth, exporter: prometheus.exporter });
  await app.register(apiPlugin, {
    admin: cluster.nodeAdmin,
    jobs: s.jobs,
    jobService: core.jobs,
    maxScheduleParams: config.maxScheduleParams,
    metrics: s.metrics,
    jobStats: s.jobStats,
    policies: s.policies,
    projectExists: (project) => core.projects.exists(project),
    spiders: (project) => core.projects.spiders(project, undefined),
    views: core.views,
    events,
    files: s.files,
    auth,
    bodyLimitBytes: config.bodyLimitBytes,
    maxLiveTails: config.maxLiveTails,
    now,
    kick: () => core.dispatcher.kick(),
    schedules: schedules.service,
    webhooks: deliveries.webhooks,
    channels: deliveries.channels,
    alerts: alerts.service,
  });
  await app.register(tokenRoutes, { auth, tokens, bodyLimitBytes: config.bodyLimitBytes });
  await app.register(scrapydPlugin, {
    ctx: { service: core.scrapyd, maxScheduleParams: config.maxScheduleParams },
    service: core.scrapyd,
    files: s.files,
    nodeName: config.nodeName,
    auth,
    uploadLimitBytes: config.uploadLimitBytes,
    bodyLimitBytes: config.bodyLimitBytes,
    corsOrigins: config.corsOrigins,
    prefixHeader: config.prefixHeader,
    debug: config.debug,
    disabledServices: config.disabledServices,
  });
  return { app, tls };
}
