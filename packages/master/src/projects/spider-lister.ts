/**
 * `scrapy list` for a (project, version), run by an agent through its runner and cached in the versions table
 * (so the cache survives restarts). Concurrent asks for the same egg share one run.
 */
import type { ProjectsRepo, VersionRow } from '../db/repos/projects.js';
import { matches } from '../jobs/placement.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { ProjectCatalog } from './project-catalog.js';
import { listFailed, noAgentToList } from './project-errors.js';

/** First `scrapy list` of an egg may build a venv and pip-install its requirements. */
const LIST_TIMEOUT_MS = 15 * 60_000;

export class SpiderLister {
  readonly #inflight = new Map<string, Promise<string[]>>();

  constructor(
    private readonly registry: AgentRegistry,
    private readonly projects: ProjectsRepo,
    private readonly catalog: ProjectCatalog,
    /** The project's default tags: `scrapy list` runs where its jobs will (same interpreter, same deps). */
    private readonly projectTags: (project: string) => string[] = () => [],
  ) {}

  /** [settings] projects have no egg to cache against: their lists live in memory, as in Scrapyd. */
  readonly #settingsOnly = new Map<string, string[]>();

  /**
   * Spiders of a stored version (or, with `v` null, of a [settings]-only project), from the cache or by running
   * `scrapy list`.
   */
  async spidersOf(v: VersionRow | null, project: string, settingsModule: string | null): Promise<string[]> {
    if (v === null) {
      const hit = this.#settingsOnly.get(project);
      if (hit) return hit;
      const spiders = await this.run(null, project, settingsModule);
      this.#settingsOnly.set(project, spiders);
      return spiders;
    }
    if (v.spiders !== null) return v.spiders;
    const spiders = await this.run(v, project, settingsModule);
    await this.projects.setSpiders(v.project, v.name, v.digest, spiders);
    this.catalog.invalidate(v.project);
    return spiders;
  }

  /** Runs `scrapy list` on an online agent; throws NO_AGENT or RUNNER_ERROR (project-errors.ts) when it fails. */
  run(v: VersionRow | null, project: string, settingsModule: string | null): Promise<string[]> {
    const key = `${project}\0${v?.name ?? ''}\0${v?.digest ?? ''}`;
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#runOnce(v, project, settingsModule).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #runOnce(v: VersionRow | null, project: string, settingsModule: string | null): Promise<string[]> {
    const tags = this.projectTags(project);
    const online = this.registry.candidates();
    const agent = (
      online.find((c) => matches(tags, c) && !c.cordoned) ??
      online.find((c) => matches(tags, c)) ??
      online[0]
    )?.session;
    if (!agent) throw noAgentToList(project);
    let reply;
    try {
      reply = await agent.request(
        'spiders.list',
        {
          project,
          version: v?.name ?? null,
          eggDigest: v?.digest ?? null,
          eggSize: v?.size ?? 0,
          settingsModule,
          requirements: v?.requirements ?? [],
        },
        LIST_TIMEOUT_MS,
      );
    } catch (e) {
      throw listFailed(project, v?.name ?? null, (e as Error).message);
    }
    if (!reply.ok) throw listFailed(project, v?.name ?? null, reply.error);
    return reply.spiders;
  }
}
