/**
 * Policies of projects and spiders (default tags, running-job caps, retries of lost jobs, run limits), cached in
 * memory because the dispatcher consults them on every pass. The spider's value wins over the project's, which
 * wins over the master's default; null means "inherit".
 */
import {
  NO_POLICY,
  type EffectivePolicy,
  type JobPolicyOverride,
  type PlacementPolicy,
  type RetryableOutcome,
} from '@scrapyard/protocol';
import type { Db } from '../db/database.js';
import type { DomainEvents } from '../events/domain-events.js';
import { normalizeTags } from '../jobs/placement.js';

const key = (project: string, spider: string) => `${project}\u0000${spider}`;

const DEFAULT_RETRY_ON: RetryableOutcome[] = ['lost'];
const DEFAULT_BACKOFF_SECONDS = 10;
const DEFAULT_BACKOFF_MAX_SECONDS = 600;
/** How long a job stopped for a limit has after the cancel signal before SIGKILL, unless a policy says. */
export const DEFAULT_KILL_GRACE_SECONDS = 30;

export class PolicyStore {
  readonly #db: Db;
  readonly #defaultRetries: number;
  #cache = new Map<string, PlacementPolicy>();
  #anyCaps = false;

  readonly #events: Pick<DomainEvents, 'publish'> | undefined;

  constructor(db: Db, defaultRetries: number, events?: Pick<DomainEvents, 'publish'>) {
    this.#db = db;
    this.#defaultRetries = defaultRetries;
    this.#events = events;
  }

  async load(): Promise<void> {
    const rows = await this.#db.selectFrom('policies').selectAll().execute();
    this.#cache = new Map(
      rows.map((r) => [
        key(r.project, r.spider),
        {
          tags: r.tags === null ? null : (JSON.parse(r.tags) as string[]),
          maxRunning: r.max_running,
          retries: r.retries,
          maxRunSeconds: r.max_run_seconds,
          stallSeconds: r.stall_seconds,
          killGraceSeconds: r.kill_grace_seconds,
          retryOn: r.retry_on === null ? null : (JSON.parse(r.retry_on) as RetryableOutcome[]),
          retryBackoffSeconds: r.retry_backoff_seconds,
          retryBackoffMaxSeconds: r.retry_backoff_max_seconds,
          uniqueArgs: r.unique_args === null ? null : (JSON.parse(r.unique_args) as string[]),
          startRate:
            r.start_rate_count === null || r.start_rate_period_seconds === null
              ? null
              : { count: r.start_rate_count, periodSeconds: r.start_rate_period_seconds },
        },
      ]),
    );
    this.#recount();
  }

  /** The stored policy ('' spider = project level), all-null when none is set. */
  get(project: string, spider = ''): PlacementPolicy {
    return this.#cache.get(key(project, spider)) ?? NO_POLICY;
  }

  async put(project: string, spider: string, p: PlacementPolicy, now: number): Promise<PlacementPolicy> {
    const value = {
      ...p,
      tags: p.tags === null ? null : normalizeTags(p.tags),
      retryOn: p.retryOn === null ? null : [...new Set(p.retryOn)],
      uniqueArgs: p.uniqueArgs === null ? null : [...new Set(p.uniqueArgs)].sort(),
    };
    const row = {
      project,
      spider,
      tags: value.tags === null ? null : JSON.stringify(value.tags),
      max_running: value.maxRunning,
      retries: value.retries,
      max_run_seconds: value.maxRunSeconds,
      stall_seconds: value.stallSeconds,
      kill_grace_seconds: value.killGraceSeconds,
      retry_on: value.retryOn === null ? null : JSON.stringify(value.retryOn),
      retry_backoff_seconds: value.retryBackoffSeconds,
      retry_backoff_max_seconds: value.retryBackoffMaxSeconds,
      unique_args: value.uniqueArgs === null ? null : JSON.stringify(value.uniqueArgs),
      start_rate_count: value.startRate?.count ?? null,
      start_rate_period_seconds: value.startRate?.periodSeconds ?? null,
      updated_at: now,
    };
    await this.#db
      .insertInto('policies')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['project', 'spider']).doUpdateSet({
          tags: row.tags,
          max_running: row.max_running,
          retries: row.retries,
          max_run_seconds: row.max_run_seconds,
          stall_seconds: row.stall_seconds,
          kill_grace_seconds: row.kill_grace_seconds,
          retry_on: row.retry_on,
          retry_backoff_seconds: row.retry_backoff_seconds,
          retry_backoff_max_seconds: row.retry_backoff_max_seconds,
          unique_args: row.unique_args,
          start_rate_count: row.start_rate_count,
          start_rate_period_seconds: row.start_rate_period_seconds,
          updated_at: now,
        }),
      )
      .execute();
    const existed = this.#cache.has(key(project, spider));
    this.#cache.set(key(project, spider), value);
    this.#recount();
    this.#announce(project, spider, existed ? 'updated' : 'created', value);
    return value;
  }

  /** Forgets a stored policy (its project or spider inherits again); false when there was none. */
  async delete(project: string, spider: string): Promise<boolean> {
    const r = await this.#db
      .deleteFrom('policies')
      .where('project', '=', project)
      .where('spider', '=', spider)
      .executeTakeFirst();
    this.#cache.delete(key(project, spider));
    this.#recount();
    if (Number(r.numDeletedRows) === 0) return false;
    this.#announce(project, spider, 'deleted', null);
    return true;
  }

  /** After the commit: the policy as stored (no field of a policy is a secret), for the audit log. */
  #announce(project: string, spider: string, change: 'created' | 'updated' | 'deleted', p: PlacementPolicy | null) {
    const set = p === null ? {} : Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null));
    this.#events?.publish({
      type: 'config.changed',
      entity: 'policy',
      id: spider === '' ? project : `${project}/${spider}`,
      project,
      change,
      summary: { spider: spider === '' ? null : spider, ...(p === null ? {} : { policy: set }) },
    });
  }

  tagsFor(project: string, spider: string): string[] {
    return this.get(project, spider).tags ?? this.get(project).tags ?? [];
  }

  retriesFor(project: string, spider: string): number {
    return this.get(project, spider).retries ?? this.get(project).retries ?? this.#defaultRetries;
  }

  /** The run limits of a job: its own override, else the spider's, else the project's. */
  limitsFor(project: string, spider: string, own: JobPolicyOverride | null): EffectivePolicy {
    const pick = <K extends keyof JobPolicyOverride & keyof PlacementPolicy>(k: K) =>
      own?.[k] ?? this.get(project, spider)[k] ?? this.get(project)[k] ?? null;
    return {
      maxRunSeconds: pick('maxRunSeconds'),
      stallSeconds: pick('stallSeconds'),
      killGraceSeconds: pick('killGraceSeconds') ?? DEFAULT_KILL_GRACE_SECONDS,
      retries: pick('retries') ?? this.#defaultRetries,
      retryOn: pick('retryOn') ?? DEFAULT_RETRY_ON,
      retryBackoffSeconds: pick('retryBackoffSeconds') ?? DEFAULT_BACKOFF_SECONDS,
      retryBackoffMaxSeconds: pick('retryBackoffMaxSeconds') ?? DEFAULT_BACKOFF_MAX_SECONDS,
      uniqueArgs: pick('uniqueArgs'),
    };
  }

  projectCap(project: string): number | null {
    return this.get(project).maxRunning;
  }

  spiderCap(project: string, spider: string): number | null {
    return this.get(project, spider).maxRunning;
  }

  /** Whether any cap is set at all (the dispatcher skips counting running jobs otherwise). */
  get hasCaps(): boolean {
    return this.#anyCaps;
  }

  #recount(): void {
    this.#anyCaps = [...this.#cache.values()].some((p) => p.maxRunning !== null);
  }
}
