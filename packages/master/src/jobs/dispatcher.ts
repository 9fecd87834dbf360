/**
 * Push dispatch: whenever a job is queued, a slot frees up or an agent comes online (domain events), or a policy
 * changes, `kick()` places pending jobs (priority desc, then arrival) by the placement rule (tags, dedicated,
 * cordon, most free slots, lowest load) and the projects' and spiders' running caps. No poll interval: the spawn lands within milliseconds of the request.
 * One placement loop runs at a time, so a job is never placed twice. A job that can't be placed doesn't block
 * the ones behind it that can.
 */
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { sanitizeVersion, type JobSpec } from '@scrapyard/protocol';
import type { JobRow, JobsRepo } from '../db/repos/jobs.js';
import type { DomainEvents, EventType } from '../events/domain-events.js';
import type { ProjectCatalog, ProjectEntry } from '../projects/project-catalog.js';
import type { AgentCandidate, AgentRegistry } from '../registry/registry.js';
import type { AgentSession } from '../registry/agent-session.js';
import type { PolicyStore } from '../projects/policy-store.js';
import { place, type Placement } from './placement.js';
import { StartRateLimiter, type StartRate } from './start-rate.js';
import { itemsAreLocal, jobFilePath, remoteFeedUri, type JobFilesConfig } from './job-files.js';
import type { JobService } from './job-service.js';
import { pruneOldFiles } from './retention.js';

export interface DispatcherDeps {
  jobs: JobsRepo;
  catalog: ProjectCatalog;
  registry: AgentRegistry;
  policies: PolicyStore;
  files: JobFilesConfig & { jobsToKeep: number };
  /** Claims and finishes jobs (a job that can't start at all finishes as start_failed). */
  service: JobService;
  /** What changes placement (a job queued, a slot freed, an agent or a cordon changed) kicks a pass. */
  events: DomainEvents;
  logger: Logger;
  now: () => number;
}

/** Events after which a placement pass may place something (or pending reasons change). */
const KICKED_BY: readonly EventType[] = [
  'job.queued',
  'job.finished',
  'job.requeued',
  'node.online',
  'node.offline',
  'node.cordoned',
];

/** How long one snapshot of agents and running counts answers "why pending" questions. */
const REASON_SNAPSHOT_MS = 250;

export class Dispatcher {
  readonly #d: DispatcherDeps;
  readonly #log: Logger;
  #busy = false;
  #again = false;
  #backoffTimer: NodeJS.Timeout | undefined;
  #backoffAt: number | null = null;
  #backoffsMayWait = true;
  readonly #rates = new StartRateLimiter();
  #rateTimer: NodeJS.Timeout | undefined;
  #rateAt: number | null = null;
  #reasons:
    | {
        at: number;
        view: Promise<{ agents: AgentCandidate[]; caps: CapCounter; memo: Map<string, string | null> }>;
      }
    | undefined;

  constructor(deps: DispatcherDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'dispatcher' });
    // Before the kicks: the pass a requeue kicks must see that a retry may wait.
    deps.events.on('job.requeued', () => (this.#backoffsMayWait = true));
    for (const type of KICKED_BY) deps.events.on(type, () => this.kick());
  }

  /** One timer for the earliest retry whose backoff ends: a pass then places it. */
  async #armBackoffTimer(now: number): Promise<void> {
    // Only retries wait: no query at all until a job was requeued (or since the master started).
    if (!this.#backoffsMayWait) return;
    const next = await this.#d.jobs.nextReadyAt(now);
    if (next === null) this.#backoffsMayWait = false;
    if (next === this.#backoffAt) return;
    clearTimeout(this.#backoffTimer);
    this.#backoffAt = next;
    if (next === null) return;
    // Capped so a far-off retry never overflows setTimeout; the pass it triggers re-arms for what is left.
    this.#backoffTimer = setTimeout(
      () => {
        this.#backoffAt = null;
        this.kick();
      },
      Math.min(Math.max(0, next - now), 3_600_000),
    );
    this.#backoffTimer.unref();
  }

  /** Asks for a placement pass; cheap to call often (coalesces while a pass runs). */
  kick(): void {
    // Whatever kicked (a new job, a finish, an agent, a policy) may change why jobs wait.
    this.#reasons = undefined;
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
      // Cheap checks first: agents connecting by the thousand kick once each, usually with nothing to place.
      const free = this.#d.registry.freeSlots();
      if (free === 0) return;
      const now = this.#d.now();
      await this.#armBackoffTimer(now);
      const classes = await this.#d.jobs.pendingClasses(now);
      if (classes.length === 0) return;
      const agents = this.#d.registry.candidates();
      const caps = await this.#capCounter();
      const open = classes.filter(
        (c) => this.#verdict(JSON.parse(c.tags) as string[], c.project, c.spider, agents, caps).ok,
      );
      if (open.length === 0) return;
      const batch = await this.#d.jobs.nextPendingIn(open.length === classes.length ? null : open, free, now);
      let placed = 0;
      for (const job of batch) {
        const v = this.#verdict(JSON.parse(job.tags) as string[], job.project, job.spider, agents, caps);
        if (!v.ok) continue;
        const r = await this.#place(job, v.agent.session);
        if (r === 'assigned') {
          v.agent.freeSlots--;
          caps.add(job.project, job.spider);
          for (const [key, rate] of this.#rateKeys(job.project, job.spider)) this.#rates.take(key, rate, this.#d.now());
        }
        if (r !== 'gone') placed++;
      }
      if (placed === 0) return;
    }
  }

  /**
   * Why a pending job is not running, or null when it could start at the next pass. Listing thousands of pending
   * jobs must stay cheap: the agents and running counts are snapshotted for a moment and verdicts memoized per
   * placement class.
   */
  async pendingReason(job: Pick<JobRow, 'tags' | 'project' | 'spider' | 'not_before'>): Promise<string | null> {
    const now = Date.now();
    if (job.not_before !== null && Number(job.not_before) > now) {
      return `retry waits for its backoff until ${new Date(Number(job.not_before)).toISOString()}`;
    }
    if (!this.#reasons || now - this.#reasons.at > REASON_SNAPSHOT_MS) {
      const agents = this.#d.registry.candidates();
      this.#reasons = { at: now, view: this.#capCounter().then((caps) => ({ agents, caps, memo: new Map() })) };
    }
    const view = await this.#reasons.view;
    const key = `${job.tags}\u0000${job.project}\u0000${job.spider}`;
    let reason = view.memo.get(key);
    if (reason === undefined) {
      const v = this.#verdict(JSON.parse(job.tags) as string[], job.project, job.spider, view.agents, view.caps);
      reason = v.ok ? null : v.reason;
      view.memo.set(key, reason);
    }
    return reason;
  }

  #verdict(
    tags: string[],
    project: string,
    spider: string,
    agents: AgentCandidate[],
    caps: CapCounter,
  ): Placement<AgentCandidate> {
    const pCap = this.#d.policies.projectCap(project);
    if (pCap !== null && caps.project(project) >= pCap) {
      return { ok: false, reason: `project ${project} is at its limit of ${pCap} running jobs` };
    }
    const sCap = this.#d.policies.spiderCap(project, spider);
    if (sCap !== null && caps.spider(project, spider) >= sCap) {
      return { ok: false, reason: `spider ${spider} is at its limit of ${sCap} running jobs` };
    }
    const now = this.#d.now();
    for (const [key, rate, who] of this.#rateKeys(project, spider)) {
      if (!this.#rates.allows(key, rate, now)) {
        this.#armRateTimer(this.#rates.nextAt(key, rate, now), now);
        return { ok: false, reason: `${who} is at its start rate limit of ${rate.count} per ${rate.periodSeconds} s` };
      }
    }
    return place(tags, agents);
  }

  /** The start rate limits a job of this project and spider is under, with their bucket keys. */
  #rateKeys(project: string, spider: string): [string, StartRate, string][] {
    const out: [string, StartRate, string][] = [];
    const p = this.#d.policies.get(project).startRate;
    if (p) out.push([`p\u0000${project}`, p, `project ${project}`]);
    const s = this.#d.policies.get(project, spider).startRate;
    if (s) out.push([`s\u0000${project}\u0000${spider}`, s, `spider ${spider}`]);
    return out;
  }

  /** One timer for the earliest moment a rate-limited job may start: a pass then places it. */
  #armRateTimer(at: number, now: number): void {
    if (this.#rateAt !== null && this.#rateAt <= at) return;
    clearTimeout(this.#rateTimer);
    this.#rateAt = at;
    this.#rateTimer = setTimeout(
      () => {
        this.#rateAt = null;
        this.kick();
      },
      Math.min(Math.max(0, at - now), 3_600_000),
    );
    this.#rateTimer.unref();
  }

  /** Running jobs per project and spider, read only when some cap exists. */
  async #capCounter(): Promise<CapCounter> {
    const counter = new CapCounter();
    if (this.#d.policies.hasCaps) {
      for (const r of await this.#d.jobs.runningCounts()) counter.add(r.project, r.spider, r.n);
    }
    return counter;
  }

  /** 'assigned' to the agent, 'failed' to start at all (finished), or 'gone' (cancelled meanwhile). */
  async #place(job: JobRow, agent: AgentSession): Promise<'assigned' | 'failed' | 'gone'> {
    const log = this.#log.child({ jobId: job.job_id, runId: job.run_id, project: job.project, spider: job.spider });
    const entry = await this.#d.catalog.get(job.project);
    const version = entry ? this.#resolveVersion(job, entry) : null;
    if (!entry || (!version && (job.version_requested !== null || entry.settingsModule === null))) {
      const reason =
        job.version_requested !== null
          ? `version '${job.version_requested}' not found at launch`
          : `project '${job.project}' has no versions at launch`;
      if (!(await this.#d.service.claim(job, agent.nodeId, ''))) return 'gone';
      await this.#d.service.finish(job, {
        endedAt: this.#d.now(),
        startedAt: null,
        exitCode: null,
        signal: null,
        outcome: 'start_failed',
        reason,
      });
      log.warn({ reason }, 'job could not start');
      return 'failed';
    }
    if (!(await this.#d.service.claim(job, agent.nodeId, version?.name ?? ''))) return 'gone';
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
    this.#reasons = undefined;
    log.info({ nodeId: agent.nodeId, version: version?.name ?? null, attempt: job.attempt }, 'job assigned');
    return 'assigned';
  }

  /** Scrapyd resolves "latest" when the crawl starts, not when it was scheduled (§2.2). */
  #resolveVersion(job: JobRow, entry: ProjectEntry) {
    if (job.version_requested === null) return entry.versions.at(-1) ?? null;
    const name = sanitizeVersion(job.version_requested);
    return entry.versions.find((v) => v.name === name) ?? null;
  }
}

class CapCounter {
  readonly #projects = new Map<string, number>();
  readonly #spiders = new Map<string, number>();

  add(project: string, spider: string, n = 1): void {
    this.#projects.set(project, this.project(project) + n);
    const k = `${project}\u0000${spider}`;
    this.#spiders.set(k, (this.#spiders.get(k) ?? 0) + n);
  }

  project(project: string): number {
    return this.#projects.get(project) ?? 0;
  }

  spider(project: string, spider: string): number {
    return this.#spiders.get(`${project}\u0000${spider}`) ?? 0;
  }
}
