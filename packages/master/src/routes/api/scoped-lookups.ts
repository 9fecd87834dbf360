/**
 * Project scoping of the REST API's configuration entities (schedules, webhooks, channels, alert rules, alerts):
 * lists keep what the caller may read, and an id of a hidden one answers the same 404 as a missing one, so its
 * existence is not told (projectsVisible, auth/access.ts). An entity about every project (no project: a global webhook,
 * a node alert, a channel) is shown only to a reader of every project. `*` costs no lookup.
 */
import type { FastifyRequest } from 'fastify';
import type { ProjectFilter } from '../../db/repos/project-filter.js';

export type VisibleOf = (req: FastifyRequest) => ProjectFilter;

/** Whether an entity about `project` (null or absent: every project) is shown. */
export const shows = (v: ProjectFilter, project: string | null | undefined): boolean =>
  v === '*' || (project != null && v.has(project));

/** The items of a list the caller may see. */
export function onlyVisible<T>(v: ProjectFilter, items: T[], projectOf: (item: T) => string | null | undefined): T[] {
  return v === '*' ? items : items.filter((i) => shows(v, projectOf(i)));
}

/**
 * An id route's check: resolves to the id when the caller may see the entity, else throws `missing(id)`, the
 * error the service throws for an unknown id. `projectOf` throws that error itself for an unknown one.
 */
export function revealer(
  visible: VisibleOf,
  projectOf: (id: string) => Promise<string | null | undefined>,
  missing: (id: string) => Error,
): (req: FastifyRequest, id: string) => Promise<string> {
  return async (req, id) => {
    const v = visible(req);
    if (v !== '*' && !shows(v, await projectOf(id))) throw missing(id);
    return id;
  };
}
