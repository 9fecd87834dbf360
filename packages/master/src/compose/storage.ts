/**
 * The master's state: the database and its repositories, the egg store, the project catalog and policies
 * (caches derived from the database), the job files and the metrics with their retention.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MasterConfig } from '../config.js';
import { secureDataDir } from '../data-dir.js';
import { openDatabase, storeLocation } from '../db/database.js';
import type { DomainEvents } from '../events/domain-events.js';
import { createJobStatsRepo } from '../db/repos/job-stats.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { createMetricsRepo } from '../db/repos/metrics.js';
import { createNodesRepo } from '../db/repos/nodes.js';
import { createProjectsRepo } from '../db/repos/projects.js';
import { createSchedulesRepo } from '../db/repos/schedules.js';
import { createUsersRepo } from '../db/repos/users.js';
import { LogSink } from '../jobs/log-sink.js';
import { PolicyStore } from '../projects/policy-store.js';
import { ProjectCatalog } from '../projects/project-catalog.js';
import { EggStore } from '../storage/egg-store.js';

const METRICS_PRUNE_MS = 60_000;

export async function openStorage(config: MasterConfig, logger: Logger, now: () => number, events: DomainEvents) {
  // Before anything in the data dir is opened or created: owner-only, or a refusal to start (data-dir.ts).
  secureDataDir(config, logger);
  const store = {
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    databasePoolSize: config.databasePoolSize,
    onPoolError: (e: Error) => logger.warn({ err: e }, 'a database connection failed; the pool replaces it'),
  };
  const db = await openDatabase({ ...store, autoMigrate: config.autoMigrate, onMigrated: logMigrations(logger) });
  logger.info(storeLocation(store), 'database opened, schema current');
  const projects = createProjectsRepo(db);
  const policies = new PolicyStore(db, config.lostJobRetries, events);
  await policies.load();
  const metrics = createMetricsRepo(db, { onError: (e) => logger.warn({ err: e }, 'storing metrics failed') });
  const sink = new LogSink();

  const pruneMetrics = () =>
    metrics
      .prune(now() - config.metricsRetentionHours * 3_600_000)
      .catch((e: unknown) => logger.warn({ err: e }, 'pruning metrics failed'));
  // Also at start-up: a master back from a long downtime holds metrics that expired while it was down. Not
  // awaited: prune deletes in batches and yields, so a large backlog does not hold up the start.
  void pruneMetrics();
  const retention = setInterval(() => void pruneMetrics(), METRICS_PRUNE_MS).unref();

  return {
    db,
    jobs: createJobsRepo(db),
    /** Live Scrapy stats per run. */
    jobStats: createJobStatsRepo(db),
    projects,
    nodes: createNodesRepo(db),
    schedules: createSchedulesRepo(db),
    users: createUsersRepo(db),
    eggs: new EggStore(join(config.dataDir, 'eggs')),
    catalog: new ProjectCatalog(projects, config.settingsProjects),
    policies,
    metrics,
    /** Job logs and items, written by offset as agents ship them. */
    sink,
    files: { logsDir: config.logsDir, itemsDir: config.itemsDir },
    /** After everything that writes has stopped. */
    async close(): Promise<void> {
      clearInterval(retention);
      await metrics.flush();
      metrics.close();
      sink.closeAll();
      await db.destroy();
    },
  };
}
export type Storage = Awaited<ReturnType<typeof openStorage>>;

/** Start-up says what an upgrade changed in the schema: each migration applied, or that there was none to apply. */
function logMigrations(logger: Logger) {
  return (applied: string[]) => {
    if (applied.length === 0) logger.info('database schema up to date');
    for (const migration of applied) logger.info({ migration }, 'migration applied');
  };
}
