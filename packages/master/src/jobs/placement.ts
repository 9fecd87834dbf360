/**
 * Where a job may run, as a pure function of the job's tags and the agents' state, so the dispatcher and the
 * API's "why is this pending" answer share one rule:
 * - the agent's tags include all of the job's tags;
 * - a dedicated agent takes only jobs that carry tags, all of which it has (untagged work never lands there);
 * - cordoned agents take nothing new;
 * - among the rest with a free slot: most free slots, then lowest load (load1 per CPU), then node id.
 */
export interface Candidate {
  nodeId: string;
  tags: ReadonlySet<string>;
  dedicated: boolean;
  cordoned: boolean;
  freeSlots: number;
  /** load1 / cpus from the latest host metrics; 0 when unknown. */
  load: number;
}

export type Placement<C extends Candidate> = { ok: true; agent: C } | { ok: false; reason: string };

export function matches(jobTags: readonly string[], c: Candidate): boolean {
  if (c.dedicated && jobTags.length === 0) return false;
  return jobTags.every((t) => c.tags.has(t));
}

export const formatTags = (tags: readonly string[]) => `[${tags.join(', ')}]`;

export function place<C extends Candidate>(jobTags: readonly string[], agents: readonly C[]): Placement<C> {
  if (agents.length === 0) return { ok: false, reason: 'no agent online' };
  let best: C | undefined;
  let matching = 0;
  let cordoned = 0;
  for (const a of agents) {
    if (!matches(jobTags, a)) continue;
    matching++;
    if (a.cordoned) {
      cordoned++;
      continue;
    }
    if (a.freeSlots <= 0) continue;
    if (
      !best ||
      a.freeSlots > best.freeSlots ||
      (a.freeSlots === best.freeSlots && (a.load < best.load || (a.load === best.load && a.nodeId < best.nodeId)))
    ) {
      best = a;
    }
  }
  if (best) return { ok: true, agent: best };
  if (matching === 0) {
    return {
      ok: false,
      reason:
        jobTags.length > 0
          ? `no online agent has tags ${formatTags(jobTags)}`
          : 'no online agent takes untagged jobs (all are dedicated)',
    };
  }
  if (cordoned === matching) {
    return { ok: false, reason: `all ${matching} matching agent${matching === 1 ? ' is' : 's are'} cordoned` };
  }
  const open = matching - cordoned;
  const more = cordoned > 0 ? ` (${cordoned} more cordoned)` : '';
  return { ok: false, reason: `all ${open} matching agent${open === 1 ? ' is' : 's are'} full${more}` };
}

/** Tags as stored and compared: unique and sorted, so equal sets have one spelling. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort();
}
