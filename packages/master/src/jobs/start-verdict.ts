/**
 * Whether a pending job may start now and where: the project's and spider's running caps, their start rates,
 * then the placement rule (placement.ts). The same verdict places jobs and answers "why is it pending".
 */
import type { AgentCandidate } from '../registry/registry.js';
import type { PolicyStore } from '../services/policy-store.js';
import { place, type Placement } from './placement.js';
import { StartRateLimiter, type StartRate } from './start-rate.js';

/** Running jobs per project and per spider, counted up as a pass places jobs. */
export class CapCounter {
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

export class StartVerdicts {
  readonly #rates = new StartRateLimiter();
  readonly #policies: PolicyStore;
  readonly #now: () => number;
  /** A job waits for its start rate: called with the earliest moment one may start. */
  readonly #rateLimitedUntil: (at: number, now: number) => void;

  constructor(o: { policies: PolicyStore; now: () => number; rateLimitedUntil: (at: number, now: number) => void }) {
    this.#policies = o.policies;
    this.#now = o.now;
    this.#rateLimitedUntil = o.rateLimitedUntil;
  }

  verdict(
    tags: string[],
    project: string,
    spider: string,
    agents: AgentCandidate[],
    caps: CapCounter,
  ): Placement<AgentCandidate> {
    const pCap = this.#policies.projectCap(project);
    if (pCap !== null && caps.project(project) >= pCap) {
      return { ok: false, reason: `project ${project} is at its limit of ${pCap} running jobs` };
    }
    const sCap = this.#policies.spiderCap(project, spider);
    if (sCap !== null && caps.spider(project, spider) >= sCap) {
      return { ok: false, reason: `spider ${spider} is at its limit of ${sCap} running jobs` };
    }
    const now = this.#now();
    for (const [key, rate, who] of this.#rateKeys(project, spider)) {
      if (!this.#rates.allows(key, rate, now)) {
        this.#rateLimitedUntil(this.#rates.nextAt(key, rate, now), now);
        return { ok: false, reason: `${who} is at its start rate limit of ${rate.count} per ${rate.periodSeconds} s` };
      }
    }
    return place(tags, agents);
  }

  /** A job of this project and spider started: it takes from their start rates. */
  started(project: string, spider: string): void {
    for (const [key, rate] of this.#rateKeys(project, spider)) this.#rates.take(key, rate, this.#now());
  }

  /** The start rate limits a job of this project and spider is under, with their bucket keys. */
  #rateKeys(project: string, spider: string): [string, StartRate, string][] {
    const out: [string, StartRate, string][] = [];
    const p = this.#policies.get(project).startRate;
    if (p) out.push([`p\u0000${project}`, p, `project ${project}`]);
    const s = this.#policies.get(project, spider).startRate;
    if (s) out.push([`s\u0000${project}\u0000${spider}`, s, `spider ${spider}`]);
    return out;
  }
}
