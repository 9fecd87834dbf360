/**
 * Push dispatch: whenever a job is queued, a slot frees up or an agent comes online, `kick()` places pending jobs
 * (priority desc, then arrival) on the agent with the most free slots. No poll interval: the spawn lands within
 * milliseconds of the request. One placement loop runs at a time, so a job is never placed twice.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { sanitizeVersion, type JobSpec } from '@scrapyard/protocol';
import type { JobRow, JobsRepo } from '../db/repos/jobs.js';
import type { ProjectCatalog, ProjectEntry } from '../services/project-catalog.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { AgentSession } from '../registry/agent-session.js';
import { itemsAreLocal, jobFilePath, remoteFeedUri, type JobFilesConfig } from './job-files.js';
import { pruneOldFiles } from './retention.js';

export interface DispatcherDeps {
  jobs: JobsRepo;
  catalog: ProjectCatalog;
  registry: AgentRegistry;
  files: JobFilesConfig & { jobsToKeep: number };
  logger: Logger;
  now: () => number;
  /** Called when a job finishes without ever reaching an agent (e.g. its pinned version was deleted). */
  onFinished: () => void;
}

export function newRunId(): string {
  return randomUUID().replaceAll('-', '');
}

export class Dispatcher {
  readonly #d: DispatcherDeps;
  readonly #log: Logger;
  #busy = false;
  #again = false;

  constructor(deps: DispatcherDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'dispatcher' });
  }

  /** Asks for a placement pass; cheap to call often (coalesces while a pass runs). */
  kick(): void {
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    void this.#loop()
      .catch((e: unknown) => this.#log.error({ err: e }, 'placement pass failed'))
      .finally(() => {
        this.#busy = false;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async #loop(): Promise<void> {
    for (;;) {
      this.#again = false;
      const free = this.#d.registry.all().reduce((n, s) => n + Math.max(0, s.freeSlots), 0);
      if (free === 0) return;
      const batch = await this.#d.jobs.nextPending(free);
      if (batch.length === 0) return;
      for (const job of batch) {
        const agent = this.#d.registry.pickAgent();
        if (!agent) return;
        await this.#place(job, agent);
      }
    }
  }

  async #place(job: JobRow, agent: AgentSession): Promise<void> {
    const log = this.#log.child({ jobId: job.job_id, runId: job.run_id, project: job.project, spider: job.spider });
    const entry = await this.#d.catalog.get(job.project);
    const version = entry ? this.#resolveVersion(job, entry) : null;
    if (!entry || (!version && (job.version_requested !== null || entry.settingsModule === null))) {
      const reason =
        job.version_requested !== null
          ? `version '${job.version_requested}' not found at launch`
          : `project '${job.project}' has no versions at launch`;
      await this.#d.jobs.claim(job.seq, agent.nodeId, '', this.#d.now());
      await this.#d.jobs.markFinished(job.run_id, {
        endedAt: this.#d.now(),
        startedAt: null,
        exitCode: null,
        signal: null,
        outcome: 'start_failed',
        reason,
      });
      log.warn({ reason }, 'job could not start');
      this.#d.onFinished();
      return;
    }
    if (!(await this.#d.jobs.claim(job.seq, agent.nodeId, version?.name ?? '', this.#d.now()))) return;
    agent.runs.add(job.run_id);
    for (const stream of ['log', 'items'] as const) {
      const path = jobFilePath(this.#d.files, stream, job.project, job.spider, job.job_id);
      if (path) pruneOldFiles(dirname(path), this.#d.files.jobsToKeep);
    }
    const args = JSON.parse(job.args) as [string, string][];
    const spec: JobSpec = {
      runId: job.run_id,
      jobId: job.job_id,
      project: job.project,
      spider: job.spider,
      version: version?.name ?? null,
      eggDigest: version?.digest ?? null,
      eggSize: version?.size ?? 0,
      settingsModule: entry.settingsModule,
      requirements: version?.requirements ?? [],
      settings: JSON.parse(job.settings) as [string, string][],
      args: [
        ...args,
        ['_job', job.job_id],
        ...(job.version_requested !== null ? [['_version', job.version_requested] as [string, string]] : []),
      ],
      log: this.#d.files.logsDir !== '',
      items: itemsAreLocal(this.#d.files.itemsDir),
      feedUri: remoteFeedUri(this.#d.files.itemsDir, job.project, job.spider, job.job_id),
      pinnedVersion: job.version_requested,
    };
    agent.send('job.assign', { job: spec });
    log.info({ nodeId: agent.nodeId, version: version?.name ?? null }, 'job assigned');
  }

  /** Scrapyd resolves "latest" when the crawl starts, not when it was scheduled (§2.2). */
  #resolveVersion(job: JobRow, entry: ProjectEntry) {
    if (job.version_requested === null) return entry.versions.at(-1) ?? null;
    const name = sanitizeVersion(job.version_requested);
    return entry.versions.find((v) => v.name === name) ?? null;
  }
}
