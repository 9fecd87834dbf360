/**
 * The dashboard's counters (GET /api/v1/overview), over the projects the caller may read. Every figure is a range
 * of an index or an in-memory list: pending and running jobs (the `jobs_queue` index, state first), jobs ended
 * today (`jobs_finished`: state, ended_at), alerts firing (few), nodes (the registry). Node and slot figures span
 * every project, so only a reader of every project gets them (as the live stream sends node events only to them).
 */
import type { NodeInfo, Overview } from '@scrapyard/protocol';
import type { ProjectFilter } from '../db/repos/project-filter.js';
import { dayBounds } from './day-bounds.js';

/** Outcomes that are no failure: the crawl did its work, or someone stopped it on purpose. */
const NOT_FAILED = new Set(['succeeded', 'cancelled']);

/** What the overview reads of a node. */
export type NodeFigures = Pick<NodeInfo, 'online' | 'revoked' | 'cordoned' | 'slots' | 'running'>;

export interface OverviewDeps {
  jobs: {
    activeCounts(visible: ProjectFilter): Promise<{ pending: number; running: number }>;
    endedBetween(since: number, until: number, visible: ProjectFilter): Promise<Record<string, number>>;
  };
  nodes: () => Promise<NodeFigures[]>;
  /** Alerts firing now among those the caller may see. */
  firingAlerts: (visible: ProjectFilter) => Promise<number>;
  now: () => number;
}

export async function overview(d: OverviewDeps, visible: ProjectFilter, timeZone: string): Promise<Overview> {
  const at = d.now();
  const day = dayBounds(at, timeZone);
  const [active, outcomes, alertsFiring, nodes] = await Promise.all([
    d.jobs.activeCounts(visible),
    d.jobs.endedBetween(day.start, day.end, visible),
    d.firingAlerts(visible),
    visible === '*' ? d.nodes() : Promise.resolve(null),
  ]);
  let finished = 0;
  let failed = 0;
  for (const [outcome, n] of Object.entries(outcomes)) {
    finished += n;
    if (!NOT_FAILED.has(outcome)) failed += n;
  }
  return {
    nodes: nodes && nodeFigures(nodes),
    jobs: { ...active, finishedToday: finished, failedToday: failed, outcomesToday: outcomes },
    alertsFiring,
    day: { tz: timeZone, ...day },
    at,
  };
}

/** Revoked nodes are not counted; slots are those of online nodes, free ones only where jobs may be placed. */
function nodeFigures(nodes: NodeFigures[]): NonNullable<Overview['nodes']> {
  const live = nodes.filter((n) => !n.revoked);
  const online = live.filter((n) => n.online);
  const used = online.reduce((s, n) => s + n.running, 0);
  const free = online.filter((n) => !n.cordoned).reduce((s, n) => s + Math.max(0, n.slots - n.running), 0);
  return { online: online.length, total: live.length, slotsUsed: used, slotsFree: free };
}
