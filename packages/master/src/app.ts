/**
 * Composition root of the master: opens the database, builds the registry, dispatcher, gateway and services,
 * and registers the HTTP plugins. It never listens; main.ts (and tests) do.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { join } from 'node:path';
import type { MasterConfig } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { createJobsRepo } from './db/repos/jobs.js';
import { createProjectsRepo } from './db/repos/projects.js';
import { WsGateway } from './gateway/ws-gateway.js';
import { createAgentEventHandlers } from './jobs/agent-events.js';
import { Dispatcher } from './jobs/dispatcher.js';
import { LogSink } from './jobs/log-sink.js';
import { InMemoryNodeKeys } from './registry/node-auth.js';
import { AgentRegistry } from './registry/registry.js';
import { agentEggRoutes } from './routes/agent/eggs.js';
import { scrapydPlugin } from './routes/scrapyd/plugin.js';
import { ScrapydService } from './services/scrapyd-service.js';
import { SpiderLister } from './services/spider-lister.js';
import { ProjectCatalog } from './services/project-catalog.js';
import { EggStore } from './storage/egg-store.js';

export interface MasterApp {
  app: FastifyInstance;
  db: Db;
  /** Node keys accepted by the handshake (the embedded agent registers its own here). */
  nodeKeys: InMemoryNodeKeys;
  close(): Promise<void>;
}

export async function buildApp(config: MasterConfig, logger: Logger): Promise<MasterApp> {
  const db = await openDatabase(config.dataDir);
  const jobs = createJobsRepo(db);
  const projects = createProjectsRepo(db);
  const eggs = new EggStore(join(config.dataDir, 'eggs'));
  const catalog = new ProjectCatalog(projects, config.settingsProjects);
  const registry = new AgentRegistry();
  const nodeKeys = new InMemoryNodeKeys();
  const sink = new LogSink();
  const files = { logsDir: config.logsDir, itemsDir: config.itemsDir };
  const now = Date.now;

  const dispatcher: Dispatcher = new Dispatcher({
    jobs,
    catalog,
    registry,
    files: { ...files, jobsToKeep: config.jobsToKeep },
    logger,
    now,
    onFinished: () =>
      void jobs
        .trimFinished(config.finishedToKeep)
        .catch((e: unknown) => logger.error({ err: e }, 'trimming finished jobs failed')),
  });
  const kick = () => dispatcher.kick();
  const handlers = createAgentEventHandlers({ jobs, sink, files, finishedToKeep: config.finishedToKeep, logger, kick });
  const gateway = new WsGateway({ logger, registry, auth: nodeKeys, handlers });
  registry.on('online', kick);

  const service = new ScrapydService({
    projects,
    catalog,
    jobs,
    eggs,
    registry,
    lister: new SpiderLister(registry, projects, catalog),
    files,
    uploadLimitBytes: config.uploadLimitBytes,
    now,
    kick,
    sendCancel: (nodeId, runId, signal) => registry.get(nodeId)?.send('job.cancel', { runId, signal }),
  });

  // Trim history that outgrew a lowered finished_to_keep while we were down.
  await jobs.trimFinished(config.finishedToKeep);

  const app: FastifyInstance = Fastify({
    // Per-request access logs at info would dominate the log at thousands of schedules a second: warn and up only.
    loggerInstance: logger.child(
      { component: 'http' },
      { level: logger.level === 'debug' || logger.level === 'trace' ? logger.level : 'warn' },
    ) as FastifyBaseLogger,
    // The Scrapyd plugin enforces upload_limit_bytes itself, so an oversized upload still gets a JSON answer.
    bodyLimit: config.uploadLimitBytes + 64 * 1024 * 1024,
    // Keep-alive clients (load generators, ScrapydWeb) must not be cut off mid-run.
    keepAliveTimeout: 65_000,
  });
  gateway.attach(app.server);
  await app.register(agentEggRoutes, { registry, eggs });
  await app.register(scrapydPlugin, {
    ctx: { service, maxScheduleParams: config.maxScheduleParams },
    service,
    files,
    nodeName: config.nodeName,
    username: config.username,
    password: config.password,
    uploadLimitBytes: config.uploadLimitBytes,
    prefixHeader: config.prefixHeader,
    debug: config.debug,
    disabledServices: config.disabledServices,
  });

  return {
    app,
    db,
    nodeKeys,
    async close() {
      // Order: stop taking agent traffic, stop HTTP, then close files and the database they write to.
      await gateway.close();
      await app.close();
      sink.closeAll();
      await db.destroy();
    },
  };
}
