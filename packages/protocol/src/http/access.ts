/**
 * Who may do what: the roles a person or a token is granted, and the projects a grant covers. The rule itself
 * (role × action × project scope) lives in the master's auth/roles.ts; these are the shapes that cross the wire.
 */
import { z } from 'zod';
import { ProjectName } from '../primitives.js';

/** The roles a user can hold, widest first. */
export const USER_ROLES = ['admin', 'maintainer', 'operator', 'viewer'] as const;
export const UserRole = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof UserRole>;

/** A token may also hold `metrics`: it reads /metrics and nothing else (a Prometheus server's credential). */
export const TOKEN_ROLES = [...USER_ROLES, 'metrics'] as const;
export const TokenRole = z.enum(TOKEN_ROLES);
export type TokenRole = z.infer<typeof TokenRole>;

/** Most projects one grant may list; a wider reach is `*`. */
export const GRANT_PROJECTS_MAX = 200;

/** `*`: every project, including ones deployed later; else the named ones (which may not exist yet). */
export const ProjectScope = z.union([z.literal('*'), z.array(ProjectName).min(1).max(GRANT_PROJECTS_MAX)]);
export type ProjectScope = z.infer<typeof ProjectScope>;

export const Grant = z.object({ role: TokenRole, projects: ProjectScope }).strict();
export type Grant = z.infer<typeof Grant>;

/** Most grants one user or token holds. */
export const GRANTS_MAX = 20;
export const Grants = z.array(Grant).max(GRANTS_MAX);

/** One route of the master and what it needs (GET /api/v1/access). */
export const RouteAccessView = z.object({
  method: z.string(),
  url: z.string(),
  /** Where it is served: the Scrapyd API and pages, the REST API, the agents' HTTP, Prometheus. */
  surface: z.enum(['scrapyd', 'rest', 'agent', 'metrics']),
  /** The action it needs (roles × actions below); null: public, or an agent session. */
  action: z.string().nullable(),
  /** Where the project it acts on is found (`query.project`, `the schedule's project`…); null: none. */
  project: z.string().nullable(),
  public: z.boolean(),
  /** Needs an agent's live session. */
  node: z.boolean(),
  /** Needs any credentials that identify someone (the route decides the rest). */
  signedIn: z.boolean(),
});
export type RouteAccessView = z.infer<typeof RouteAccessView>;

/** One action of the role table: which roles hold it and whether a grant's projects bound it. */
export const ActionView = z.object({
  action: z.string(),
  scope: z.enum(['project', 'global']),
  roles: z.array(TokenRole),
  does: z.string(),
});

/** GET /api/v1/access (admin): every route with its rule, and the role table. */
export const AccessTableResponse = z.object({
  routes: z.array(RouteAccessView),
  actions: z.array(ActionView),
});
export type AccessTableResponse = z.infer<typeof AccessTableResponse>;
