/**
 * Which projects a read may show (projectsVisible, auth/access.ts decides): `*` for all of them, else the named ones. The
 * repositories push it into their SQL (`project IN (…)`) so pages stay full and cursors right; an empty set
 * answers nothing without asking the database. `*` adds nothing to a query: the unscoped paths stay as they were.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Database } from '../schema.js';

export type ProjectFilter = '*' | ReadonlySet<string>;

/** Every project (the built-in admin, an admin token, an open master, internal callers). */
export const ALL_PROJECTS: ProjectFilter = '*';

/** True when nothing can match: the caller answers empty without a query. */
export const seesNothing = (f: ProjectFilter): boolean => f !== '*' && f.size === 0;

/** Whether a project lies within the filter. */
export const projectVisible = (f: ProjectFilter, project: string): boolean => f === '*' || f.has(project);

/** Adds `project IN (…)` to a select on the jobs table; `*` leaves it as it is. */
export function jobsInProjects<O>(
  q: SelectQueryBuilder<Database, 'jobs', O>,
  f: ProjectFilter,
): SelectQueryBuilder<Database, 'jobs', O> {
  return f === '*' ? q : q.where('project', 'in', [...f]);
}
