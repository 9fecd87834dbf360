/** What the agent is told to run for a claimed job: the version resolved at launch, its egg, files and feed. */
import { sanitizeVersion, type JobSpec } from '@scrapyard/protocol';
import type { JobRow } from '../db/repos/jobs.js';
import type { ProjectEntry } from '../services/project-catalog.js';
import { itemsAreLocal, remoteFeedUri, type JobFilesConfig } from './job-files.js';

type Version = ProjectEntry['versions'][number];

/** Scrapyd resolves "latest" when the crawl starts, not when it was scheduled (§2.2). */
export function resolveVersion(job: Pick<JobRow, 'version_requested'>, entry: ProjectEntry): Version | null {
  if (job.version_requested === null) return entry.versions.at(-1) ?? null;
  const name = sanitizeVersion(job.version_requested);
  return entry.versions.find((v) => v.name === name) ?? null;
}

export function jobSpecOf(job: JobRow, entry: ProjectEntry, version: Version | null, files: JobFilesConfig): JobSpec {
  const args = JSON.parse(job.args) as [string, string][];
  return {
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
    log: files.logsDir !== '',
    items: itemsAreLocal(files.itemsDir),
    feedUri: remoteFeedUri(files.itemsDir, job.project, job.spider, job.job_id),
    pinnedVersion: job.version_requested,
  };
}
