/**
 * Projects and their versions (eggs): upload, spider lists, delete. Every surface (the Scrapyd API, the REST API)
 * goes through here; each change is announced as a domain event once it is committed. Errors are the catalogue's
 * (project-errors.ts), with the project, version or name as details.
 */
import { isSafePathComponent, sanitizeVersion, type ProjectInfo } from '@scrapyard/protocol';
import type { ProjectsRepo, VersionRow } from '../db/repos/projects.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { EggStore } from '../storage/egg-store.js';
import { inspectEgg } from '../scrapyd/egg-inspect.js';
import type { ProjectCatalog } from './project-catalog.js';
import { emptyVersion, projectNotFound, unsafeName, versionNotFound, type NameField } from './project-errors.js';
import type { SpiderLister } from './spider-lister.js';

export interface ProjectServiceDeps {
  projects: ProjectsRepo;
  catalog: ProjectCatalog;
  eggs: EggStore;
  lister: SpiderLister;
  events: DomainEvents;
  uploadLimitBytes: number;
  now: () => number;
  /** Deviation D7: the pending jobs of a deleted project go with it (the job service does it). */
  purgePendingJobs: (project: string) => Promise<void>;
}

/** Scrapyd's traversal guard, applied at the edge (deviation D5) rather than at launch. */
export function assertPathSafe(value: string, field: NameField): void {
  if (!isSafePathComponent(value)) throw unsafeName(field, value);
}

export class ProjectService {
  readonly #d: ProjectServiceDeps;

  constructor(deps: ProjectServiceDeps) {
    this.#d = deps;
  }

  listProjects(): Promise<string[]> {
    return this.#d.catalog.names();
  }

  async listVersions(project: string): Promise<string[]> {
    assertPathSafe(project, 'project');
    return ((await this.#d.catalog.get(project))?.versions ?? []).map((v) => v.name);
  }

  /** A project with its versions (oldest first) and the spiders of the latest, as stored; null: no such project. */
  async describe(project: string): Promise<ProjectInfo | null> {
    const entry = await this.#d.catalog.get(project);
    if (!entry) return null;
    const versions = entry.versions.map((v) => ({
      name: v.name,
      uploadedAt: v.uploadedAt,
      size: v.size,
      spiders: v.spiders,
    }));
    return { name: project, versions, spiders: versions.at(-1)?.spiders ?? [], settingsModule: entry.settingsModule };
  }

  async exists(project: string): Promise<boolean> {
    return (await this.#d.catalog.get(project)) !== null;
  }

  /** The spiders of a project's requested (or latest, when absent or empty) version. */
  async spiders(project: string, version: string | undefined): Promise<string[]> {
    const entry = await this.#d.catalog.get(project);
    if (!entry) throw projectNotFound(project);
    let v = entry.versions.at(-1) ?? null;
    if (version !== undefined && version !== '') {
      const name = sanitizeVersion(version);
      v = entry.versions.find((x) => x.name === name) ?? null;
      if (!v) throw versionNotFound(project, version);
    }
    // [settings]-only projects have no version; a project with neither is gone.
    if (!v && entry.settingsModule === null) throw projectNotFound(project);
    return this.#d.lister.spidersOf(v, project, entry.settingsModule);
  }

  async addVersion(project: string, version: string, egg: Buffer): Promise<{ spiders: string[] }> {
    assertPathSafe(project, 'project');
    const name = sanitizeVersion(version);
    if (name === '') throw emptyVersion();
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
    this.#d.events.publish({ type: 'version.added', project, version: name, spiders });
    return { spiders };
  }

  async deleteVersion(project: string, version: string): Promise<{ projectGone: boolean }> {
    assertPathSafe(project, 'project');
    const name = sanitizeVersion(version);
    const v = await this.#d.projects.version(project, name);
    if (!v) throw versionNotFound(project, version);
    const { projectGone } = await this.#d.projects.deleteVersion(project, name);
    this.#d.catalog.invalidate(project);
    if (projectGone) await this.#d.purgePendingJobs(project);
    await this.#dropEggs([v]);
    this.#d.events.publish({ type: 'version.deleted', project, version: name, projectGone });
    return { projectGone };
  }

  async deleteProject(project: string): Promise<void> {
    assertPathSafe(project, 'project');
    const versions = await this.#d.projects.versions(project);
    const existed = await this.#d.projects.deleteProject(project);
    this.#d.catalog.invalidate(project);
    if (!existed) throw projectNotFound(project);
    await this.#d.purgePendingJobs(project);
    await this.#dropEggs(versions);
    for (const v of versions) {
      this.#d.events.publish({ type: 'version.deleted', project, version: v.name, projectGone: true });
    }
  }

  /** Deletes the eggs of removed versions that no other version shares. */
  async #dropEggs(versions: Pick<VersionRow, 'digest'>[]): Promise<void> {
    for (const v of versions) if (!(await this.#d.projects.digestInUse(v.digest))) this.#d.eggs.remove(v.digest);
  }
}
