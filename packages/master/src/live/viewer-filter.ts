/**
 * What one stream may carry: the families it asked for, and the projects its principal may `read` (the role table
 * decides: auth/roles.ts). An event of a project reaches readers of that project; one of no project (nodes, alerts
 * of rules over every project) only readers of every project. Computed once per connection, again when the
 * principal's access changes.
 */
import { LIVE_FAMILIES, type Grant, type LiveFamily } from '@scrapyard/protocol';
import { projectsFor } from '../auth/roles.js';

export interface ViewerFilter {
  families: ReadonlySet<LiveFamily>;
  projects: '*' | ReadonlySet<string>;
}

const ALL_FAMILIES: ReadonlySet<LiveFamily> = new Set(LIVE_FAMILIES);

export function viewerFilter(grants: readonly Grant[], families?: readonly LiveFamily[]): ViewerFilter {
  return {
    families: families === undefined ? ALL_FAMILIES : new Set(families),
    projects: projectsFor(grants, 'read'),
  };
}

export function accepts(f: ViewerFilter, family: LiveFamily, project: string | null): boolean {
  if (!f.families.has(family)) return false;
  if (f.projects === '*') return true;
  return project !== null && f.projects.has(project);
}
