/**
 * Keeps agents' egg caches useful and small: on connect and whenever versions change, agents learn which digests
 * are still live (they delete other cached eggs no run needs), and a new version is pre-warmed (egg fetched,
 * venv built) on the online agents its project's jobs can land on, so its first crawl starts warm. It learns of
 * connects and version changes from the domain events.
 */
import type { Logger } from 'pino';
import type { ProjectsRepo, VersionRow } from '../db/repos/projects.js';
import { matches } from '../jobs/placement.js';
import type { AgentSession } from '../registry/agent-session.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { PolicyStore } from './policy-store.js';

export class EggDistribution {
  readonly #log: Logger;
  /** Live digests, cached between version changes (every connecting agent gets them). */
  #live: Promise<string[]> | undefined;

  constructor(
    private readonly d: {
      projects: ProjectsRepo;
      registry: AgentRegistry;
      policies: PolicyStore;
      events: DomainEvents;
      logger: Logger;
    },
  ) {
    this.#log = d.logger.child({ component: 'egg-distribution' });
    const warn = (what: string) => (e: unknown) => this.#log.warn({ err: e }, what);
    d.events.on('node.online', (e) => {
      const session = d.registry.get(e.nodeId);
      if (session) void this.sendLive(session).catch(warn('sending live eggs failed'));
    });
    d.events.on('version.added', (e) => {
      void d.projects
        .version(e.project, e.version)
        .then((v) => v && this.prewarm(v))
        .catch(warn('pre-warming failed'));
      this.changed();
    });
    d.events.on('version.deleted', () => this.changed());
  }

  /** Tells one agent (or all) which eggs are live. */
  async sendLive(to?: AgentSession): Promise<void> {
    this.#live ??= this.d.projects.allDigests().catch((e: unknown) => {
      this.#live = undefined;
      throw e;
    });
    const digests = await this.#live;
    for (const s of to ? [to] : this.d.registry.all()) s.send('eggs.live', { digests });
  }

  /** Pre-warms the agents at least one of the version's spiders can be placed on. */
  prewarm(v: VersionRow): void {
    const tagSets = (v.spiders ?? ['']).map((spider) => this.d.policies.tagsFor(v.project, spider));
    for (const c of this.d.registry.candidates()) {
      if (!tagSets.some((tags) => matches(tags, c))) continue;
      c.session.send('prewarm', {
        project: v.project,
        version: v.name,
        eggDigest: v.digest,
        eggSize: v.size,
        requirements: v.requirements,
      });
    }
    this.#log.info({ project: v.project, version: v.name }, 'pre-warming agents');
  }

  /** Errors here must never fail the API call that caused them. */
  changed(): void {
    this.#live = undefined;
    void this.sendLive().catch((e: unknown) => this.#log.warn({ err: e }, 'sending live eggs failed'));
  }
}
