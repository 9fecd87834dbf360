/**
 * Project scoping of reads: which projects a caller may see in lists, counts, pages, trees and streams. A grant
 * of `read` on project A shows A and nothing of any other project, anywhere: a hidden project answers exactly as
 * a missing one (its existence is not told). The rule itself is roles.ts (`projectsFor`); this only asks it for
 * the request's principal.
 */
import type { FastifyRequest } from 'fastify';
import type { Grant } from '@scrapyard/protocol';
import type { ProjectFilter } from '../db/repos/project-filter.js';
import type { Principal } from './principal.js';
import { grantsOf } from './principal.js';
import { projectsFor } from './roles.js';

export type { ProjectFilter } from '../db/repos/project-filter.js';

/**
 * The projects a principal may read: all of them on an open master (Scrapyd's default: no credentials configured
 * and no users, where anyone reads everything), else those its grants give `read` on.
 */
export function visibleProjects(principal: Principal | undefined, open: boolean): ProjectFilter {
  if (open) return '*';
  // No principal means no auth hook ran: nothing is shown rather than everything.
  if (principal === undefined) return NOTHING;
  const grants = grantsOf(principal);
  let visible = byGrants.get(grants);
  if (visible === undefined) byGrants.set(grants, (visible = projectsFor(grants, 'read')));
  return visible;
}

/**
 * Grants are immutable once a principal holds them (the built-in admin's are one frozen array), so their reach is
 * computed once per grants object: every Scrapyd call asks, and the `*` answer must cost next to nothing.
 */
const byGrants = new WeakMap<readonly Grant[], ProjectFilter>();

/** The visible projects of a request (its principal is set by the surface's auth hook). */
export function visibleTo(req: FastifyRequest, auth: { readonly open: boolean }): ProjectFilter {
  return visibleProjects(req.principal, auth.open);
}

const NOTHING: ProjectFilter = Object.freeze(new Set<string>());
