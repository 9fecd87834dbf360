/**
 * The Scrapyd API's operations, free of HTTP: each method takes already-decoded parameters and returns the
 * endpoint's fields, or throws ScrapydError with the exact client-visible message (docs/scrapyd-api.md §1.4, §3).
 */
import { isSafePathComponent, sanitizeVersion } from '@scrapyard/protocol';
import type { JobRow, JobsRepo } from '../db/repos/jobs.js';
import type { ProjectsRepo, VersionRow } from '../db/repos/projects.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { EggStore } from '../storage/egg-store.js';
import { jobUrls, type JobFilesConfig } from '../jobs/job-files.js';
import { newRunId } from '../jobs/dispatcher.js';
import { uuid1Hex } from '../jobs/uuid1.js';
import { formatPyDatetime } from '../scrapyd/time-format.js';
import { inspectEgg } from '../scrapyd/egg-inspect.js';
import { normalizeTags } from '../jobs/placement.js';
import { ScrapydError, notFound } from './scrapyd-error.js';
import type { SpiderLister } from './spider-lister.js';
import type { ProjectCatalog } from './project-catalog.js';

export interface ScrapydServiceDeps {
  projects: ProjectsRepo;
  catalog: ProjectCatalog;
  jobs: JobsRepo;
  eggs: EggStore;
  registry: AgentRegistry;
  lister: SpiderLister;
  files: JobFilesConfig;
  uploadLimitBytes: number;
  now: () => number;
  /** The queue changed: place jobs now. */
  kick: () => void;
  /** Send a cancel to the agent running a run (no-op when it is offline; it gets it on reconnect). */
  sendCancel: (nodeId: string, runId: string, signal: string | number) => void;
  /** Default tags of a project's spider (policies). */
  tagsFor: (project: string, spider: string) => string[];
  /** Why a pending job waits (listjobs' additive `pending_reason`). */
  pendingReason: (job: JobRow) => Promise<string | null>;
  /** A version was added (pre-warm agents) or versions were removed (agents may drop eggs). */
  onVersionAdded: (version: VersionRow) => void;
  onVersionsRemoved: () => void;
}

export interface ScheduleInput {
  project: string;
  spider: string;
  version: string | undefined;
  jobId: string | undefined;
  priority: number;
  settings: [string, string][];
  args: [string, string][];
  /** `_tags`, normalized; undefined = the spider's or project's default tags. */
  tags: string[] | undefined;
}

/** Spider arguments Scrapyd's own code claims; passing them made Scrapyd fail with a TypeError (§3.3). */
const CLASHING_ARGS = new Set(['settings', '_job', 'name', 'spider_name', '_version']);

/** Scrapyd's traversal guard, applied at the edge (deviation D5) rather than at launch. */
export function assertPathSafe(value: string): void {
  if (!isSafePathComponent(value)) throw new ScrapydError(`DirectoryTraversalError: ${value}`);
}

const SIGNALS: Record<string, string> = {
  HUP: 'SIGHUP',
  INT: 'SIGINT',
  KILL: 'SIGKILL',
  STOP: 'SIGSTOP',
  TERM: 'SIGTERM',
};

/** Validates a cancel `signal` before anything is removed (deviation D6). */
export function parseSignal(raw: string | undefined): string | number {
  if (raw === undefined) return 'SIGINT';
  const named = SIGNALS[raw];
  if (named) return named;
  if (/^\d{1,2}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 64) return Number(raw);
  throw new ScrapydError(`ValueError: signal '${raw}' is not one of HUP, INT, KILL, STOP, TERM or a signal number`);
}

export class ScrapydService {
  readonly #d: ScrapydServiceDeps;

  constructor(deps: ScrapydServiceDeps) {
    this.#d = deps;
  }

  async daemonStatus() {
    const c = await this.#d.jobs.counts();
    return { pending: c.pending, running: c.running, finished: c.finished };
  }

  async addVersion(project: string, version: string, egg: Buffer) {
    assertPathSafe(project);
    const name = sanitizeVersion(version);
    if (name === '') throw new ScrapydError('version is invalid: must not be empty');
    // Entries are never unpacked here, but a zip bomb would still hurt the agents that import from it.
    const info = await inspectEgg(egg, { maxUncompressedBytes: Math.max(1024 ** 3, 4 * this.#d.uploadLimitBytes) });
    const { digest, size } = this.#d.eggs.put(egg);
    const hadProject = await this.#d.projects.exists(project);
    const entry = { project, name, digest, size, requirements: info.requirements, spiders: null };
    const previous = await this.#d.projects.putVersion(entry, this.#d.now());
    this.#d.catalog.invalidate(project);
    let spiders: string[];
    try {
      const settingsModule = (await this.#d.catalog.get(project))?.settingsModule ?? null;
      spiders = await this.#d.lister.run({ ...entry, uploadedAt: this.#d.now() }, project, settingsModule);
    } catch (e) {
      // Deviation D1: an egg whose `scrapy list` fails is rolled back, so earlier versions stay untouched.
      await this.#d.projects.restoreVersion(project, name, previous, hadProject);
      this.#d.catalog.invalidate(project);
      if (!(await this.#d.projects.digestInUse(digest))) this.#d.eggs.remove(digest);
      throw e;
    }
    await this.#d.projects.setSpiders(project, name, digest, spiders);
    this.#d.catalog.invalidate(project);
    if (previous && previous.digest !== digest && !(await this.#d.projects.digestInUse(previous.digest))) {
      this.#d.eggs.remove(previous.digest);
    }
    this.#d.onVersionAdded({ ...entry, spiders, uploadedAt: this.#d.now() });
    return { project, version, spiders: spiders.length };
  }

  /** The spiders of a project's requested (or latest) version; [settings]-only projects have no version. */
  async #spiders(project: string, version: string | undefined): Promise<string[]> {
    const entry = await this.#d.catalog.get(project);
    if (!entry) throw notFound.project(project);
    let v = entry.versions.at(-1) ?? null;
    if (version !== undefined && version !== '') {
      const name = sanitizeVersion(version);
      v = entry.versions.find((x) => x.name === name) ?? null;
      if (!v) throw notFound.version(version);
    }
    if (!v && entry.settingsModule === null) throw notFound.project(project);
    return this.#d.lister.spidersOf(v, project, entry.settingsModule);
  }

  async listSpiders(project: string, version: string | undefined) {
    return { spiders: await this.#spiders(project, version) };
  }

  async schedule(input: ScheduleInput) {
    for (const [key] of input.args) {
      if (CLASHING_ARGS.has(key)) {
        throw new ScrapydError(`TypeError: '${key}' is reserved by the daemon and can't be a spider argument`);
      }
    }
    if (!(await this.#spiders(input.project, input.version)).includes(input.spider)) {
      throw notFound.spider(input.spider);
    }
    assertPathSafe(input.spider);
    const jobId = input.jobId ?? uuid1Hex();
    if (input.jobId !== undefined) assertPathSafe(jobId);
    await this.#d.jobs.insertPending({
      runId: newRunId(),
      jobId,
      project: input.project,
      spider: input.spider,
      // Deviation D4: an empty `_version` means "latest", as if absent.
      versionRequested: input.version === '' ? null : (input.version ?? null),
      settings: input.settings,
      args: input.args,
      priority: input.priority,
      createdAt: this.#d.now(),
      tags: normalizeTags(input.tags ?? this.#d.tagsFor(input.project, input.spider)),
    });
    this.#d.kick();
    return { jobid: jobId };
  }

  async cancel(project: string, jobId: string, signalRaw: string | undefined) {
    const signal = parseSignal(signalRaw);
    if (!(await this.#d.catalog.get(project))) throw notFound.project(project);
    let prevstate: 'pending' | 'running' | null = null;
    if ((await this.#d.jobs.deletePending(project, jobId)) > 0) prevstate = 'pending';
    for (const row of await this.#d.jobs.running(project, jobId)) {
      const count = await this.#d.jobs.recordCancel(row.run_id, String(signal));
      // A second cancel of the same run kills: Scrapy's graceful stop can take arbitrarily long.
      if (row.node_id) this.#d.sendCancel(row.node_id, row.run_id, count >= 2 ? 'SIGKILL' : signal);
      prevstate = 'running';
    }
    return { prevstate };
  }

  async status(jobId: string, project: string | undefined) {
    if (project !== undefined && !(await this.#d.catalog.get(project))) throw notFound.project(project);
    return { currstate: await this.#d.jobs.currentState(jobId, project) };
  }

  async listProjects() {
    return { projects: await this.#d.catalog.names() };
  }

  async listVersions(project: string) {
    assertPathSafe(project);
    return { versions: ((await this.#d.catalog.get(project))?.versions ?? []).map((v) => v.name) };
  }

  async listJobs(project: string | undefined) {
    if (project !== undefined && !(await this.#d.catalog.get(project))) throw notFound.project(project);
    const [pending, running, finished] = await Promise.all([
      this.#d.jobs.listPending(project),
      this.#d.jobs.listRunning(project),
      this.#d.jobs.listFinished(project),
    ]);
    return {
      pending: await Promise.all(
        pending.map(async (j) => ({
          id: j.job_id,
          project: j.project,
          spider: j.spider,
          version: j.version_requested,
          settings: Object.fromEntries(JSON.parse(j.settings) as [string, string][]),
          args: Object.fromEntries(JSON.parse(j.args) as [string, string][]),
          // Additive fields (cluster): where it may run and why it doesn't yet.
          tags: JSON.parse(j.tags) as string[],
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
        tags: JSON.parse(j.tags) as string[],
      })),
      finished: finished.map((j) => this.#finished(j)),
    };
  }

  #finished(j: JobRow) {
    const end = Number(j.ended_at ?? j.created_at);
    return {
      id: j.job_id,
      project: j.project,
      spider: j.spider,
      start_time: formatPyDatetime(Number(j.started_at ?? end)),
      end_time: formatPyDatetime(end),
      ...jobUrls(this.#d.files, j.project, j.spider, j.job_id),
      // Additive fields (Scrapyd has no outcome, docs/scrapyd-api.md §10 W7); existing fields keep their types.
      outcome: j.outcome,
      exit_code: j.exit_code,
      node_id: j.node_id === '' ? null : j.node_id,
      tags: JSON.parse(j.tags) as string[],
    };
  }

  async delVersion(project: string, version: string) {
    assertPathSafe(project);
    const name = sanitizeVersion(version);
    const v = await this.#d.projects.version(project, name);
    if (!v) throw notFound.version(version);
    const { projectGone } = await this.#d.projects.deleteVersion(project, name);
    this.#d.catalog.invalidate(project);
    // Deviation D7: pending jobs of a deleted project are purged, not hidden until it comes back.
    if (projectGone) await this.#d.jobs.deletePendingOfProject(project);
    if (!(await this.#d.projects.digestInUse(v.digest))) this.#d.eggs.remove(v.digest);
    this.#d.onVersionsRemoved();
    return {};
  }

  async delProject(project: string) {
    assertPathSafe(project);
    const versions = await this.#d.projects.versions(project);
    const existed = await this.#d.projects.deleteProject(project);
    this.#d.catalog.invalidate(project);
    if (!existed) throw notFound.project(project);
    await this.#d.jobs.deletePendingOfProject(project);
    for (const v of versions) if (!(await this.#d.projects.digestInUse(v.digest))) this.#d.eggs.remove(v.digest);
    this.#d.onVersionsRemoved();
    return {};
  }

  /** Rows for the /jobs HTML page. */
  async jobsPageRows() {
    const [pending, running, finished] = await Promise.all([
      this.#d.jobs.listPending(),
      this.#d.jobs.listRunning(),
      this.#d.jobs.listFinished(),
    ]);
    return { pending, running, finished };
  }
}
