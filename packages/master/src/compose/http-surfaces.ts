/**
 * The HTTP server and its surfaces: the Scrapyd API and pages, the REST API with the live tail, the agent routes
 * (registration, eggs) and Prometheus /metrics, all behind the one authentication module. The gateway shares the
 * server.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadOrCreateAdminToken } from '../auth/admin-token.js';
import { installAccess } from '../auth/access.js';
import { ApiTokenResolver } from '../auth/api-token-resolver.js';
import { ApiTokens } from '../auth/api-tokens.js';
import { Authenticator, type CredentialResolver } from '../auth/authenticator.js';
import { TokenLastUse } from '../auth/token-last-use.js';
import { syncConfigMetricsToken } from '../auth/config-metrics-token.js';
import { createApiTokensRepo } from '../db/repos/api-tokens.js';
import { crossSiteGuard } from '../auth/http-guards.js';
import { openUserAccess } from '../auth/user-access.js';
import { csrfGuard } from '../auth/csrf.js';
import { enterRequestContext } from '../auth/request-context.js';
import type { MasterConfig } from '../config.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { AgentRegistry } from '../registry/registry.js';
import { agentEggRoutes } from '../routes/agent/eggs.js';
import { agentRegisterRoutes } from '../routes/agent/register.js';
import { metricsRoute } from '../metrics-export/route.js';
import { apiPlugin } from '../routes/api/plugin.js';
import { scrapydPlugin } from '../routes/scrapyd/plugin.js';
import { sessionRoutes } from '../routes/api/sessions.js';
import { createBrowserSessions } from './browser-sessions.js';
import { tokenRoutes } from '../routes/api/tokens.js';
import { uiDistDir } from '../routes/ui/ui-dir.js';
import { uiRoutes } from '../routes/ui/ui-routes.js';
import { liveEventsRoutes } from '../routes/api/live-events.js';
import { LiveHub } from '../live/live-hub.js';
import { projectRoutes } from '../routes/api/projects.js';
import type { Alerts } from './alerts.js';
import type { Audit } from './audit.js';
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
  /** Credentials beyond the built-in ones, asked after those the master composes itself (an extension point). */
  resolvers?: readonly CredentialResolver[];
  audit: Audit;
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
  resolvers = [],
  audit,
}: HttpDeps) {
  const users = await openUserAccess({
    repo: s.users,
    events,
    logger,
    now,
    projectExists: (project) => core.projects.exists(project),
    limits: {
      maxPerUser: config.loginMaxFailures,
      maxPerAddress: config.loginMaxFailuresPerAddress,
      windowSeconds: config.loginWindowSeconds,
    },
  });
  const browser = createBrowserSessions({
    config,
    logger,
    now,
    storage: s,
    events,
    passwords: { verify: (name, password, ctx) => users.logins.verify(name, password, ctx, 'session') },
  });
  const tokenRepo = createApiTokensRepo(s.db);
  const tokenLastUse = new TokenLastUse({ repo: tokenRepo, now, logger });
  const tokens = new ApiTokens({ repo: tokenRepo, events, now });
  const configDigest = await syncConfigMetricsToken({
    repo: tokenRepo,
    events,
    logger,
    now,
    secret: config.metricsToken,
  });
  const auth = new Authenticator({
    username: config.username,
    password: config.password,
    adminToken: loadOrCreateAdminToken(config.dataDir, logger),
    nodeForSessionToken: (token) => registry.byToken(token)?.nodeId,
    // The embedder's first; then tokens (a password that is no token is told by its shape, without a lookup), the
    // session cookie (a lookup), and users' passwords last (a hash).
    resolvers: [
      ...resolvers,
      new ApiTokenResolver({ repo: tokenRepo, events, lastUse: tokenLastUse, now, configDigest }),
      browser.sessions.resolver,
      users.resolver,
    ],
    hasUsers: users.hasUsers,
    onBuiltInRefused: (username, { address }) =>
      events.publish({ type: 'access.login', ok: false, username, address, via: 'basic', reason: 'wrong password' }),
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
  // Then who may call what, on every route registered below (auth/access.ts).
  const access = installAccess(app, auth);
  // After access identified the caller: a cookie-carried state change must come from the master's own pages.
  app.addHook('onRequest', csrfGuard({ auth, publicUrl: config.publicUrl }));
  browser.sessions.start();
  app.addHook('onClose', () => browser.sessions.stop());
  // Once the surfaces' auth hooks know the principal: what a request causes is attributed to it (the audit log).
  app.addHook('preHandler', enterRequestContext);
  cluster.gateway.attach(app.server);
  await app.register(agentEggRoutes, { eggs: s.eggs });
  await app.register(agentRegisterRoutes, { admin: cluster.nodeAdmin });
  await app.register(metricsRoute, { exporter: prometheus.exporter });
  await app.register(sessionRoutes, { auth, ...browser, prefix: '/api/v1' });
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
    access,
    bodyLimitBytes: config.bodyLimitBytes,
    maxLiveTails: config.maxLiveTails,
    now,
    kick: () => core.dispatcher.kick(),
    schedules: schedules.service,
    webhooks: deliveries.webhooks,
    channels: deliveries.channels,
    alerts: alerts.service,
    users: users.service,
    audit,
  });
  await app.register(tokenRoutes, { tokens, bodyLimitBytes: config.bodyLimitBytes });
  await app.register(uiRoutes, { dir: uiDistDir() });
  // Subscribed from the start, so a stream that resumes finds what it missed.
  const live = new LiveHub({ events, logger, now, maxStreams: config.maxEventStreams });
  app.addHook('onClose', async () => live.stop());
  await app.register(liveEventsRoutes, { hub: live, auth });
  await app.register(projectRoutes, { projects: core.projects, uploadLimitBytes: config.uploadLimitBytes });
  await app.register(scrapydPlugin, {
    ctx: { service: core.scrapyd, maxScheduleParams: config.maxScheduleParams },
    service: core.scrapyd,
    files: s.files,
    nodeName: config.nodeName,
    uploadLimitBytes: config.uploadLimitBytes,
    bodyLimitBytes: config.bodyLimitBytes,
    corsOrigins: config.corsOrigins,
    prefixHeader: config.prefixHeader,
    debug: config.debug,
    disabledServices: config.disabledServices,
  });
  return { app, tls };
}
