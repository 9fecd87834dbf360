/**
 * Composition root of the master: opens the database, builds the registry, dispatcher, gateway and services,
 * and registers the HTTP plugins. It never listens; main.ts (and tests) do.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateAdminToken } from './auth/admin-token.js';
import { Authenticator } from './auth/authenticator.js';
import type { MasterConfig } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { createJobsRepo } from './db/repos/jobs.js';
import { createMetricsRepo } from './db/repos/metrics.js';
import { createNodesRepo } from './db/repos/nodes.js';
import { createProjectsRepo } from './db/repos/projects.js';
import { WsGateway } from './gateway/ws-gateway.js';
import { createAgentEventHandlers } from './jobs/agent-events.js';
import { DomainEvents } from './events/domain-events.js';
import { Dispatcher } from './jobs/dispatcher.js';
import { JobService } from './jobs/job-service.js';
import { LogSink } from './jobs/log-sink.js';
import { LostRuns } from './jobs/lost-runs.js';
import { NodeCredentials } from './registry/node-auth.js';
import { AgentRegistry } from './registry/registry.js';
import { agentEggRoutes } from './routes/agent/eggs.js';
import { agentRegisterRoutes } from './routes/agent/register.js';
import { apiPlugin } from './routes/api/plugin.js';
import { scrapydPlugin } from './routes/scrapyd/plugin.js';
import { EggDistribution } from './services/egg-distribution.js';
import { NodeAdmin } from './services/node-admin.js';
import { PolicyStore } from './services/policy-store.js';
import { ProjectService } from './services/project-service.js';
import { ScrapydService } from './services/scrapyd-service.js';
import { SpiderLister } from './services/spider-lister.js';
import { ProjectCatalog } from './services/project-catalog.js';
import { EggStore } from './storage/egg-store.js';

export interface MasterApp {
  app: FastifyInstance;
  db: Db;
  /** Credentials accepted by the handshake (the embedded agent registers its own here). */
  nodeKeys: NodeCredentials;
  /** Whether the server speaks TLS (https/wss). */
  tls: boolean;
  close(): Promise<void>;
}

export async function buildApp(config: MasterConfig, logger: Logger): Promise<MasterApp> {
  const db = await openDatabase(config.dataDir);
  const jobs = createJobsRepo(db);
  const projects = createProjectsRepo(db);
  const eggs = new EggStore(join(config.dataDir, 'eggs'));
  const catalog = new ProjectCatalog(projects, config.settingsProjects);
  const now = Date.now;
  // One stream of domain events; everything that reacts to jobs, nodes or versions subscribes here.
  const events = new DomainEvents({ logger, now });
  const registry = new AgentRegistry(events);
  const nodeKeys = new NodeCredentials(config.temporaryNodes ? config.temporaryNodeSecret : null);
  const sink = new LogSink();
  const files = { logsDir: config.logsDir, itemsDir: config.itemsDir };
  const policies = new PolicyStore(db, config.lostJobRetries);
  await policies.load();
  const metrics = createMetricsRepo(db, { onError: (e) => logger.warn({ err: e }, 'storing metrics failed') });

  const projectService: ProjectService = new ProjectService({
    projects,
    catalog,
    eggs,
    lister: new SpiderLister(registry, projects, catalog, (p) => policies.tagsFor(p, '')),
    events,
    uploadLimitBytes: config.uploadLimitBytes,
    now,
    purgePendingJobs: (project) => jobService.purgeProject(project),
  });
  const jobService: JobService = new JobService({
    jobs,
    registry,
    policies,
    sink,
    files,
    events,
    spiders: (project, version) => projectService.spiders(project, version),
    projectExists: (project) => projectService.exists(project),
    finishedToKeep: config.finishedToKeep,
    logger,
    now,
  });
  const dispatcher = new Dispatcher({
    jobs,
    service: jobService,
    events,
    catalog,
    registry,
    policies,
    files: { ...files, jobsToKeep: config.jobsToKeep },
    logger,
    now,
  });
  const kick = () => dispatcher.kick();
  const lost = new LostRuns({
    jobs,
    service: jobService,
    registry,
    events,
    graceMs: config.lostGrace * 1000,
    logger,
    now,
  });
  const handlers = createAgentEventHandlers({
    jobs: jobService,
    runningOnNode: (nodeId) => jobs.runningOnNode(nodeId),
    sink,
    files,
    events,
    maxJobOutputBytes: config.maxJobOutputBytes,
    logger,
    now,
    onMetrics: (session, hb) => {
      if (hb.host) {
        metrics.recordHost(session.nodeId, hb.host);
        session.load = hb.host.load1 / Math.max(1, hb.host.cpus);
      }
      if (hb.jobs && hb.jobs.length > 0) metrics.recordJobs(hb.at, hb.jobs);
    },
  });
  const nodeAdmin = new NodeAdmin({
    repo: createNodesRepo(db),
    creds: nodeKeys,
    registry,
    latestHost: (id) => metrics.latestHost(id),
    now,
    logger,
    events,
  });
  await nodeAdmin.start();
  events.on('node.offline', (e) => {
    void nodeAdmin.onOffline(e).catch((err: unknown) => logger.warn({ err }, 'recording last seen failed'));
  });
  // Keeps agents' egg caches in step with versions; it works from the node and version events alone.
  new EggDistribution({ projects, registry, policies, events, logger });
  const gateway = new WsGateway({
    logger,
    registry,
    auth: nodeKeys,
    handlers,
    heartbeatTimeoutMs: config.heartbeatTimeout * 1000,
    maxPendingHandshakes: config.maxPendingHandshakes,
    onAuthenticated: (session, o) => nodeAdmin.onAuthenticated(session, o),
  });
  await lost.start();
  const pruneMetrics = () =>
    metrics
      .prune(now() - config.metricsRetentionHours * 3_600_000)
      .catch((e: unknown) => logger.warn({ err: e }, 'pruning metrics failed'));
  // Also at start-up: a master back from a long downtime holds metrics that expired while it was down. Not
  // awaited: prune deletes in batches and yields, so a large backlog does not hold up the start.
  void pruneMetrics();
  const retention = setInterval(() => void pruneMetrics(), 60_000).unref();

  const service = new ScrapydService({
    projects: projectService,
    jobs: jobService,
    jobRows: jobs,
    files,
    pendingReason: (job) => dispatcher.pendingReason(job),
  });

  // Trim history that outgrew a lowered finished_to_keep while we were down.
  await jobService.trimFinished();

  const auth = new Authenticator({
    username: config.username,
    password: config.password,
    adminToken: loadOrCreateAdminToken(config.dataDir, logger),
    nodeForSessionToken: (token) => registry.byToken(token)?.nodeId,
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
  gateway.attach(app.server);
  await app.register(agentEggRoutes, { auth, eggs });
  await app.register(agentRegisterRoutes, { admin: nodeAdmin });
  await app.register(apiPlugin, {
    admin: nodeAdmin,
    jobs,
    jobService,
    maxScheduleParams: config.maxScheduleParams,
    metrics,
    policies,
    views: { pendingReason: (j) => dispatcher.pendingReason(j), isUnreachable: (id) => lost.isUnreachable(id) },
    sink,
    files,
    auth,
    bodyLimitBytes: config.bodyLimitBytes,
    maxLiveTails: config.maxLiveTails,
    now,
    kick,
  });
  await app.register(scrapydPlugin, {
    ctx: { service, maxScheduleParams: config.maxScheduleParams },
    service,
    files,
    nodeName: config.nodeName,
    auth,
    uploadLimitBytes: config.uploadLimitBytes,
    bodyLimitBytes: config.bodyLimitBytes,
    corsOrigins: config.corsOrigins,
    prefixHeader: config.prefixHeader,
    debug: config.debug,
    disabledServices: config.disabledServices,
  });

  return {
    app,
    db,
    nodeKeys,
    tls,
    async close() {
      // Order: stop taking agent traffic, stop HTTP, then close files and the database they write to.
      lost.stop();
      clearInterval(retention);
      await gateway.close();
      await app.close();
      await metrics.flush();
      metrics.close();
      sink.closeAll();
      await db.destroy();
    },
  };
}
