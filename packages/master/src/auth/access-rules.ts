/**
 * How a route names what it needs (its access rule, in its route options: `config: needs('read', inQuery())`),
 * and where the project it acts on is found. The rule is checked by access.ts; roles.ts decides.
 */
import type { FastifyRequest } from 'fastify';
import { ACTIONS, type Action } from './roles.js';

/**
 * A project a request acts on: its name; `null` for a resource that covers every project (a webhook or an alert
 * rule without a project, a channel), which only a `*` grant reaches; undefined when none is named (a list: it
 * shows what the caller may see, see projectsVisible).
 */
export type ProjectRef = string | null | undefined;

/**
 * Where a route finds its project. A field of the path or the query string is checked before the body is read;
 * a body field or a resource's own project (`find`: the schedule's, the webhook's) once the body is parsed.
 * A value that is not a string counts as none named: the handler refuses it (400) before acting on anything.
 */
export type ProjectSource =
  | { in: 'params' | 'query' | 'body'; field: string }
  | { of: string; find(req: FastifyRequest): Promise<ProjectRef | readonly ProjectRef[]> };

/**
 * - `action`: the principal needs the action (roles.ts), on the project `project` names. `surface: 'scrapyd'`:
 *   answered in Scrapyd's dialect, and open to all under Scrapyd's default (no credentials configured, no users).
 * - `node`: an agent's live session (egg downloads).
 * - `signedIn`: any credentials that identify someone (a caller's own password, tokens, sessions: the route
 *   itself decides from `req.principal`).
 * - `public`: no credentials (agent registration carries its own enrollment token; a login its password).
 */
export type AccessRule = ActionRule | { node: true } | { signedIn: true } | { public: true };
export interface ActionRule {
  action: Action;
  project?: ProjectSource;
  surface?: 'scrapyd';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: every route declares one (access.ts refuses to register one without). */
    access?: AccessRule;
  }
}

export const inParams = (field = 'project'): ProjectSource => ({ in: 'params', field });
export const inQuery = (field = 'project'): ProjectSource => ({ in: 'query', field });
export const inBody = (field = 'project'): ProjectSource => ({ in: 'body', field });

/** Route options' `config` for a route that needs an action (on the project `project` names, if any). */
export function needs(action: Action, project?: ProjectSource): { access: AccessRule } {
  return { access: project === undefined ? { action } : { action, project } };
}

/** The same for a route of the Scrapyd surface (Scrapyd's dialect and open default). */
export function scrapydNeeds(action: Action, project?: ProjectSource): { access: AccessRule } {
  return { access: { ...needs(action, project).access, surface: 'scrapyd' } };
}

export const PUBLIC: { access: AccessRule } = { access: { public: true } };
export const NODE_SESSION: { access: AccessRule } = { access: { node: true } };
export const SIGNED_IN: { access: AccessRule } = { access: { signedIn: true } };

/**
 * A resource's own project (a schedule's, a webhook's), found by `project(req)`; with `alsoBody`, the project a
 * body moves it to as well. A resource that does not exist names none: the handler answers 404.
 */
export function ofResource(
  what: string,
  project: (req: FastifyRequest) => Promise<ProjectRef>,
  alsoBody?: string,
): ProjectSource {
  return {
    of: alsoBody === undefined ? what : `${what} and body.${alsoBody}`,
    async find(req) {
      const own = await project(req).catch(() => undefined);
      return alsoBody === undefined ? own : [own, fieldValue(req, { in: 'body', field: alsoBody })];
    },
  };
}

/** Why a rule is malformed, or null: a route is refused at registration rather than guarded wrongly. */
export function ruleProblem(rule: unknown): string | null {
  if (rule === undefined || rule === null || typeof rule !== 'object') return 'declares no access rule';
  const r = rule as Record<string, unknown>;
  if (r.public === true || r.node === true || r.signedIn === true) return null;
  if (typeof r.action !== 'string' || !Object.hasOwn(ACTIONS, r.action)) {
    return `names an unknown action ${JSON.stringify(r.action)} (one of ${Object.keys(ACTIONS).join(', ')})`;
  }
  return null;
}

/** How the access table (GET /api/v1/access) shows where a rule's project comes from. */
export function describeSource(s: ProjectSource | undefined): string | null {
  if (s === undefined) return null;
  return 'in' in s ? `${s.in}.${s.field}` : s.of;
}

/** The project a path, query or body field names (as the handler reads it), or undefined. */
export function fieldValue(req: FastifyRequest, s: { in: 'params' | 'query' | 'body'; field: string }): ProjectRef {
  const where = s.in === 'params' ? req.params : s.in === 'query' ? req.query : req.body;
  if (where === null || typeof where !== 'object') return undefined;
  const v = (where as Record<string, unknown>)[s.field];
  return typeof v === 'string' ? v : undefined;
}
