/**
 * The job core: projects and versions, the job service (the one owner of job state), the dispatcher that places
 * pending jobs, the sweep that declares runs of vanished nodes lost, and the Scrapyd adapter over them.
 */
import type { Logger } from 'pino';
import type { MasterConfig } from '../config.js';
import type { DomainEvents } from '../events/domain-events.js';
import { Dispatcher } from '../jobs/dispatcher.js';
import { JobService } from '../jobs/job-service.js';
import { batchedStatsSummaries } from '../jobs/stats-batch.js';
import { LostRuns } from '../jobs/lost-runs.js';
import { RunLimits } from '../jobs/run-limits.js';
import type { AgentRegistry } from '../registry/registry.js';
import { ProjectService } from '../projects/project-service.js';
import { ScrapydService } from '../routes/scrapyd/scrapyd-service.js';
import { SpiderLister } from '../projects/spider-lister.js';
import type { Storage } from './storage.js';

export interface JobCoreDeps {
  config: MasterConfig;
  logger: Logger;
  now: () => number;
  storage: Storage;
  events: DomainEvents;
  registry: AgentRegistry;
}

export function createJobCore({ config, logger, now, storage: s, events, registry }: JobCoreDeps) {
  const projects: ProjectService = new ProjectService({
    projects: s.projects,
    catalog: s.catalog,
    eggs: s.eggs,
    lister: new SpiderLister(registry, s.projects, s.catalog, (p) => s.policies.tagsFor(p, '')),
    events,
    uploadLimitBytes: config.uploadLimitBytes,
    now,
    purgePendingJobs: (project) => jobs.purgeProject(project),
  });
  const jobs: JobService = new JobService({
    jobs: s.jobs,
    registry,
    policies: s.policies,
    sink: s.sink,
    files: s.files,
    events,
    spiders: (project, version) => projects.spiders(project, version),
    projectExists: (project) => projects.exists(project),
    finishedToKeep: config.finishedToKeep,
    logger,
    now,
  });
  const dispatcher = new Dispatcher({
    jobs: s.jobs,
    service: jobs,
    events,
    catalog: s.catalog,
    registry,
    policies: s.policies,
    files: { ...s.files, jobsToKeep: config.jobsToKeep },
    logger,
    now,
  });
  const lost = new LostRuns({
    jobs: s.jobs,
    service: jobs,
    registry,
    events,
    graceMs: config.lostGrace * 1000,
    logger,
    now,
  });
  const limits = new RunLimits({ service: jobs, running: () => s.jobs.listRunning(), events, logger, now });
  const scrapyd = new ScrapydService({
    projects,
    jobs,
    jobRows: s.jobs,
    files: s.files,
    pendingReason: (job) => dispatcher.pendingReason(job),
    statsOf: (runIds) => s.jobStats.summaries(runIds),
  });
  return {
    projects,
    jobs,
    dispatcher,
    lost,
    scrapyd,
    /** What the REST API shows about a job besides its row. */
    views: {
      pendingReason: (j: Parameters<Dispatcher['pendingReason']>[0]) => dispatcher.pendingReason(j),
      isUnreachable: (nodeId: string | null) => lost.isUnreachable(nodeId),
      limits: (j: Parameters<JobService['limitsOf']>[0]) => jobs.limitsOf(j),
      stats: batchedStatsSummaries((runIds) => s.jobStats.summaries(runIds)),
    },
    async start(): Promise<void> {
      await lost.start();
      await limits.start();
      // Trim history that outgrew a lowered finished_to_keep while we were down.
      await jobs.trimFinished();
    },
    stop(): void {
      lost.stop();
      limits.stop();
    },
  };
}
export type JobCore = ReturnType<typeof createJobCore>;
