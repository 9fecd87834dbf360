/**
 * The Scrapyd API's operations, free of HTTP: each method takes already-decoded parameters, calls the project or
 * job service, and answers in the endpoint's shape (the protocol's Scrapyd result schemas, additive fields
 * included). Errors are the core's catalogue errors; scrapyd-error.ts says them in Scrapyd's texts (§1.4, §3).
 * Every read takes the projects the caller may see (projectsVisible, auth/access.ts): a hidden project answers as a
 * missing one, and lists and counts leave it out.
 */
import {
  AddVersionResult,
  CancelResult,
  DaemonStatusResult,
  EmptyResult,
  ListJobsResult,
  ListProjectsResult,
  ListSpidersResult,
  ListVersionsResult,
  ScheduleResult,
  StatusResult,
  type JobStatsSummary,
} from '@scrapyard/protocol';
import type { JobRow, JobsRepo } from '../../db/repos/jobs.js';
import { projectVisible, type ProjectFilter } from '../../db/repos/project-filter.js';
import { jobUrls, type JobFilesConfig } from '../../jobs/job-files.js';
import { toScrapydStats } from '../../jobs/stats-summary.js';
import type { JobService } from '../../jobs/job-service.js';
import type { SubmitInput } from '../../jobs/job-submission.js';
import { formatPyDatetime } from '../../scrapyd/time-format.js';
import type { ProjectService } from '../../projects/project-service.js';
import { projectNotFound } from '../../projects/project-errors.js';

export interface ScrapydServiceDeps {
  projects: ProjectService;
  jobs: JobService;
  /** Reads of the job table (listings, counts, status). */
  jobRows: JobsRepo;
  files: JobFilesConfig;
  /** Why a pending job waits (listjobs' additive `pending_reason`). */
  pendingReason: (job: JobRow) => Promise<string | null>;
  /** Live stats summaries of runs (listjobs' additive `stats`); absent: every `stats` is null. */
  statsOf?: (runIds: string[]) => Promise<Map<string, JobStatsSummary>>;
}

export type ScheduleInput = SubmitInput;

const tagsOf = (j: JobRow) => JSON.parse(j.tags) as string[];

export class ScrapydService {
  readonly #d: ScrapydServiceDeps;

  constructor(deps: ScrapydServiceDeps) {
    this.#d = deps;
  }

  async daemonStatus(visible: ProjectFilter) {
    return DaemonStatusResult.parse(await this.#d.jobRows.counts(visible));
  }

  async addVersion(project: string, version: string, egg: Buffer) {
    const { spiders } = await this.#d.projects.addVersion(project, version, egg);
    return AddVersionResult.parse({ project, version, spiders: spiders.length });
  }

  async listSpiders(project: string, version: string | undefined, visible: ProjectFilter) {
    if (!projectVisible(visible, project)) throw projectNotFound(project);
    return ListSpidersResult.parse({ spiders: await this.#d.projects.spiders(project, version) });
  }

  async schedule(input: ScheduleInput) {
    return ScheduleResult.parse({ jobid: (await this.#d.jobs.submit(input)).jobId });
  }

  async cancel(project: string, jobId: string, signal: string | undefined) {
    return CancelResult.parse(await this.#d.jobs.cancel(project, jobId, signal));
  }

  async status(jobId: string, project: string | undefined, visible: ProjectFilter) {
    await this.#assertKnown(project, visible);
    return StatusResult.parse({ currstate: await this.#d.jobRows.currentState(jobId, project, visible) });
  }

  async listProjects(visible: ProjectFilter) {
    const names = await this.#d.projects.listProjects();
    return ListProjectsResult.parse({
      projects: visible === '*' ? names : names.filter((p) => visible.has(p)),
    });
  }

  /** A hidden project has no versions, as an unknown one (the name is still checked first, as for any). */
  async listVersions(project: string, visible: ProjectFilter) {
    const versions = await this.#d.projects.listVersions(project);
    return ListVersionsResult.parse({ versions: projectVisible(visible, project) ? versions : [] });
  }

  /** Refuses a named project that is missing or hidden, in the same words. */
  async #assertKnown(project: string | undefined, visible: ProjectFilter): Promise<void> {
    if (project === undefined) return;
    if (!projectVisible(visible, project) || !(await this.#d.projects.exists(project))) throw projectNotFound(project);
  }

  async listJobs(project: string | undefined, visible: ProjectFilter) {
    await this.#assertKnown(project, visible);
    const [pending, running, finished] = await Promise.all([
      this.#d.jobRows.listPending(project, visible),
      this.#d.jobRows.listRunning(project, visible),
      this.#d.jobRows.listFinished(project, visible),
    ]);
    const summaries = this.#d.statsOf
      ? await this.#d.statsOf([...running, ...finished].map((j) => j.run_id))
      : new Map<string, JobStatsSummary>();
    const statsOf = (j: JobRow) => {
      const s = summaries.get(j.run_id);
      return s ? toScrapydStats(s) : null;
    };
    return ListJobsResult.parse({
      pending: await Promise.all(
        pending.map(async (j) => ({
          id: j.job_id,
          project: j.project,
          spider: j.spider,
          version: j.version_requested,
          settings: Object.fromEntries(JSON.parse(j.settings) as [string, string][]),
          args: Object.fromEntries(JSON.parse(j.args) as [string, string][]),
          tags: tagsOf(j),
          pending_reason: await this.#d.pendingReason(j),
        })),
      ),
      running: running.map((j) => ({
        id: j.job_id,
        project: j.project,
        spider: j.spider,
        pid: j.pid,
        start_time: formatPyDatetime(Number(j.started_at ?? j.created_at)),
        ...jobUrls(this.#d.files, j.project, j.spider, j.job_id),
        node_id: j.node_id,
        tags: tagsOf(j),
        stats: statsOf(j),
      })),
      finished: finished.map((j) => {
        const end = Number(j.ended_at ?? j.created_at);
        return {
          id: j.job_id,
          project: j.project,
          spider: j.spider,
          start_time: formatPyDatetime(Number(j.started_at ?? end)),
          end_time: formatPyDatetime(end),
          ...jobUrls(this.#d.files, j.project, j.spider, j.job_id),
          outcome: j.outcome,
          exit_code: j.exit_code,
          node_id: j.node_id === '' ? null : j.node_id,
          tags: tagsOf(j),
          stats: statsOf(j),
        };
      }),
    });
  }

  async delVersion(project: string, version: string) {
    await this.#d.projects.deleteVersion(project, version);
    return EmptyResult.parse({});
  }

  async delProject(project: string) {
    await this.#d.projects.deleteProject(project);
    return EmptyResult.parse({});
  }

  /** Rows for the /jobs HTML page. */
  async jobsPageRows(visible: ProjectFilter) {
    const [pending, running, finished] = await Promise.all([
      this.#d.jobRows.listPending(undefined, visible),
      this.#d.jobRows.listRunning(undefined, visible),
      this.#d.jobRows.listFinished(undefined, visible),
    ]);
    return { pending, running, finished };
  }
}
