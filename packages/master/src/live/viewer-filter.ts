/**
 * What one stream may carry: the families it asked for, and the projects its principal may `read` (the role table
 * decides: auth/roles.ts). An event of a project reaches readers of that project; one of no project (nodes, alerts
 * of rules over every project) only readers of every project; one for admins (the audit log) only those who may
 * `admin`. Computed once per connection, again when the principal's access changes.
 */
import { LIVE_FAMILIES, type Grant, type LiveFamily } from '@scrapyard/protocol';
import { grantsAllow, projectsFor } from '../auth/roles.js';

export interface ViewerFilter {
  families: ReadonlySet<LiveFamily>;
  projects: '*' | ReadonlySet<string>;
  admin: boolean;
}

const ALL_FAMILIES: ReadonlySet<LiveFamily> = new Set(LIVE_FAMILIES);

export function viewerFilter(grants: readonly Grant[], families?: readonly LiveFamily[]): ViewerFilter {
  return {
    families: families === undefined ? ALL_FAMILIES : new Set(families),
    projects: projectsFor(grants, 'read'),
    admin: grantsAllow(grants, 'admin'),
  };
}

export function accepts(f: ViewerFilter, family: LiveFamily, project: string | null, adminOnly?: true): boolean {
  if (!f.families.has(family)) return false;
  if (adminOnly && !f.admin) return false;
  if (f.projects === '*') return true;
  return project !== null && f.projects.has(project);
}
