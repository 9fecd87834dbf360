/**
 * Placement policies of projects and spiders (default tags, running-job caps, retries of lost jobs), cached in
 * memory because the dispatcher consults them on every pass. The spider's value wins over the project's, which
 * wins over the master's default; null means "inherit".
 */
import type { PlacementPolicy } from '@scrapyard/protocol';
import type { Db } from '../db/database.js';
import { normalizeTags } from '../jobs/placement.js';

const key = (project: string, spider: string) => `${project}\u0000${spider}`;

export class PolicyStore {
  readonly #db: Db;
  readonly #defaultRetries: number;
  #cache = new Map<string, PlacementPolicy>();
  #anyCaps = false;

  constructor(db: Db, defaultRetries: number) {
    this.#db = db;
    this.#defaultRetries = defaultRetries;
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
        },
      ]),
    );
    this.#recount();
  }

  /** The stored policy ('' spider = project level), all-null when none is set. */
  get(project: string, spider = ''): PlacementPolicy {
    return this.#cache.get(key(project, spider)) ?? { tags: null, maxRunning: null, retries: null };
  }

  async put(project: string, spider: string, p: PlacementPolicy, now: number): Promise<PlacementPolicy> {
    const value = { ...p, tags: p.tags === null ? null : normalizeTags(p.tags) };
    const row = {
      project,
      spider,
      tags: value.tags === null ? null : JSON.stringify(value.tags),
      max_running: value.maxRunning,
      retries: value.retries,
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
          updated_at: now,
        }),
      )
      .execute();
    this.#cache.set(key(project, spider), value);
    this.#recount();
    return value;
  }

  tagsFor(project: string, spider: string): string[] {
    return this.get(project, spider).tags ?? this.get(project).tags ?? [];
  }

  retriesFor(project: string, spider: string): number {
    return this.get(project, spider).retries ?? this.get(project).retries ?? this.#defaultRetries;
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
