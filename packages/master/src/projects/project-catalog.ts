/**
 * Projects and their versions, cached in memory: schedule.json, listspiders and dispatch read them on every call,
 * and only this master writes them (through ScrapydService, which calls `invalidate`). A cache miss reads the
 * database, so a restart or a missed invalidation costs one query, never a wrong answer for long. Only projects
 * that exist are kept: a miss is not cached, so requests naming made-up projects can't grow the cache (its size
 * is bounded by the projects that exist).
 */
import type { ProjectsRepo, VersionRow } from '../db/repos/projects.js';
import { sortVersionNames } from '../scrapyd/pep440.js';

export interface ProjectEntry {
  /** Versions in Scrapyd order (§2.2): latest last. */
  versions: VersionRow[];
  /** Settings module from the [settings] section, or null for an ordinary (egg) project. */
  settingsModule: string | null;
}

export class ProjectCatalog {
  readonly #projects: ProjectsRepo;
  readonly #cache = new Map<string, ProjectEntry>();
  readonly #settings: Readonly<Record<string, string>>;

  constructor(projects: ProjectsRepo, settingsProjects: Record<string, string> = {}) {
    this.#projects = projects;
    this.#settings = Object.freeze({ ...settingsProjects });
  }

  /** Every project: those with eggs, and those of the [settings] section (Scrapyd §2.1), sorted. */
  async names(): Promise<string[]> {
    const all = new Set([...(await this.#projects.list()), ...Object.keys(this.#settings)]);
    return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The project's versions in order, or null when there is no such project. */
  async get(project: string): Promise<ProjectEntry | null> {
    const hit = this.#cache.get(project);
    if (hit !== undefined) return hit;
    const settingsModule = Object.hasOwn(this.#settings, project) ? this.#settings[project]! : null;
    const entry = (await this.#projects.exists(project))
      ? { ...(await this.#load(project)), settingsModule }
      : settingsModule !== null
        ? { versions: [], settingsModule }
        : null;
    if (entry !== null) this.#cache.set(project, entry);
    return entry;
  }

  /** Forget a project after any write to it (upload, spider list, delete). */
  invalidate(project: string): void {
    this.#cache.delete(project);
  }

  async #load(project: string): Promise<Pick<ProjectEntry, 'versions'>> {
    const rows = await this.#projects.versions(project);
    const order = sortVersionNames(rows.map((r) => r.name));
    const byName = new Map(rows.map((r) => [r.name, r]));
    return { versions: order.map((n) => byName.get(n)!) };
  }
}
