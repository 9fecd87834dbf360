/**
 * Push dispatch: whenever a job is queued, a slot frees up or an agent comes online (domain events), or a policy
 * changes, `kick()` places pending jobs (priority desc, then arrival) by the placement rule (tags, dedicated,
 * cordon, most free slots, lowest load) and the projects' and spiders' running caps. No poll interval: the spawn lands within milliseconds of the request.
 * One placement loop runs at a time, so a job is never placed twice. A job that can't be placed doesn't block
 * the ones behind it that can.
 */
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { JobRow, JobsRepo } from '../db/repos/jobs.js';
import type { DomainEvents, EventType } from '../events/domain-events.js';
import type { ProjectCatalog } from '../projects/project-catalog.js';
import type { AgentCandidate, AgentRegistry } from '../registry/registry.js';
import type { AgentSession } from '../registry/agent-session.js';
import type { PolicyStore } from '../projects/policy-store.js';
import { jobFilePath, type JobFilesConfig } from './job-files.js';
import { jobSpecOf, resolveVersion } from './job-spec.js';
import type { JobService } from './job-service.js';
import { pruneOldFiles } from './retention.js';
import { CapCounter, StartVerdicts } from './start-verdict.js';
import { WakeTimer } from './wake-timer.js';

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
  /** Wakes a pass when the earliest retry's backoff ends. */
  readonly #backoffTimer = new WakeTimer(() => this.kick());
  #backoffsMayWait = true;
  /** Wakes a pass when the earliest rate-limited job may start. */
  readonly #rateTimer = new WakeTimer(() => this.kick());
  readonly #verdicts: StartVerdicts;
  #reasons:
    | {
        at: number;
        view: Promise<{ agents: AgentCandidate[]; caps: CapCounter; memo: Map<string, string | null> }>;
      }
    | undefined;

  constructor(deps: DispatcherDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'dispatcher' });
    this.#verdicts = new StartVerdicts({
      policies: deps.policies,
      now: deps.now,
      rateLimitedUntil: (at, now) => {
        const armed = this.#rateTimer.at;
        if (armed === null || armed > at) this.#rateTimer.set(at, now);
      },
    });
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
    if (next !== this.#backoffTimer.at) this.#backoffTimer.set(next, now);
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
        (c) => this.#verdicts.verdict(JSON.parse(c.tags) as string[], c.project, c.spider, agents, caps).ok,
      );
      if (open.length === 0) return;
      const batch = await this.#d.jobs.nextPendingIn(open.length === classes.length ? null : open, free, now);
      let placed = 0;
      for (const job of batch) {
        const v = this.#verdicts.verdict(JSON.parse(job.tags) as string[], job.project, job.spider, agents, caps);
        if (!v.ok) continue;
        const r = await this.#place(job, v.agent.session);
        if (r === 'assigned') {
          v.agent.freeSlots--;
          caps.add(job.project, job.spider);
          this.#verdicts.started(job.project, job.spider);
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
      const v = this.#verdicts.verdict(
        JSON.parse(job.tags) as string[],
        job.project,
        job.spider,
        view.agents,
        view.caps,
      );
      reason = v.ok ? null : v.reason;
      view.memo.set(key, reason);
    }
    return reason;
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
    const version = entry ? resolveVersion(job, entry) : null;
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
    agent.addRun(job.run_id);
    for (const stream of ['log', 'items'] as const) {
      const path = jobFilePath(this.#d.files, stream, job.project, job.spider, job.job_id);
      if (path) pruneOldFiles(dirname(path), this.#d.files.jobsToKeep);
    }
    const spec = jobSpecOf(job, entry, version, this.#d.files);
    agent.send('job.assign', { job: spec });
    this.#reasons = undefined;
    log.info({ nodeId: agent.nodeId, version: version?.name ?? null, attempt: job.attempt }, 'job assigned');
    return 'assigned';
  }
}
