/**
 * Access on every HTTP surface, in one place: each route names what it needs (access-rules.ts) and these root
 * hooks decide through the role table (roles.ts). onRequest identifies the caller once and refuses before any
 * body byte is read when the caller may not do the action anywhere (or on the project the path or query names);
 * preHandler checks a project the body names, or the project of the resource the route acts on. A root onRoute
 * hook refuses to register a route without a rule, so a new route can't be left open by mistake.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { CatalogueError, type Grant } from '@scrapyard/protocol';
import { refuse, tooManyLogins } from './access-refusals.js';
import { fieldValue, ruleProblem, type AccessRule, type ActionRule, type ProjectRef } from './access-rules.js';
import type { Authenticator, Principal } from './authenticator.js';
import { grantsOf } from './principal.js';
import { ADMIN_GRANTS, grantsAllow, projectsFor, type Action } from './roles.js';
import type { WatchedStream } from './stream-access.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the access hook: who is calling. */
    principal?: Principal;
  }
}

/** One registered route and its rule, as GET /api/v1/access lists it. */
export interface RouteAccess {
  method: string;
  url: string;
  rule: AccessRule;
}

/** Methods that change nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What Scrapyd's open default gives strangers on the REST API: its reads (and /metrics), every project. */
const OPEN_READER: readonly Grant[] = Object.freeze([Object.freeze({ role: 'viewer', projects: '*' } as const)]);
/** A path no route answers and no not-found handler covers: only the widest grant (never expected). */
const FALLBACK: AccessRule = { action: 'admin' };

/** The grants a request was judged with (the principal's, widened by the open default): projectsVisible reads them. */
const judgedWith = new WeakMap<FastifyRequest, readonly Grant[]>();

export interface AccessTable {
  /** Every registered route with its rule, in registration order. */
  routes(): readonly RouteAccess[];
  /**
   * The access of a long-lived request (a live tail) on `project`, for a StreamAccess watch (stream-access.ts):
   * its credentials identified again must still allow the route's action on the project, so a revoked or expired
   * token, an ended session, a disabled user or a lost grant end it.
   */
  streamAccess(req: FastifyRequest, project: string): Pick<WatchedStream, 'principal' | 'reidentify' | 'allows'>;
}

/**
 * Installs the hooks on the root instance. Call it before registering any route or plugin: plugins inherit the
 * root's hooks when they are registered.
 */
export function installAccess(app: FastifyInstance, auth: Authenticator): AccessTable {
  const routes: RouteAccess[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const rule = route.config?.access;
    const problem = ruleProblem(rule);
    const methods = [route.method].flat().join(',');
    if (problem !== null) {
      throw new Error(
        `route ${methods} ${route.url} ${problem}: give it config: { access: … } (auth/access-rules.ts: needs(), PUBLIC)`,
      );
    }
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, rule: rule! });
  });

  const grantsFor = (p: Principal, rule: ActionRule, method: string): readonly Grant[] => {
    const own = grantsOf(p);
    // Scrapyd's default: without credentials configured and without users, its whole API and the REST reads are
    // open to all (a loopback or firewalled master); REST writes still need credentials.
    if (!auth.open) return own;
    if (rule.surface === 'scrapyd') return ADMIN_GRANTS;
    if (SAFE_METHODS.has(method) && (rule.action === 'read' || rule.action === 'metrics')) {
      return [...own, ...OPEN_READER];
    }
    return own;
  };

  /** Refuses unless every project named is one the grants reach with the rule's action (null: every project). */
  const checkProjects = async (
    req: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    rule: ActionRule,
    grants: readonly Grant[],
    found: ProjectRef | readonly ProjectRef[],
  ): Promise<void> => {
    for (const project of [found].flat()) {
      if (project === undefined) continue;
      const ok =
        project === null ? projectsFor(grants, rule.action) === '*' : grantsAllow(grants, rule.action, project);
      if (!ok) return refuse(auth, req, reply, { principal, rule, action: rule.action, project });
    }
  };

  app.addHook('onRequest', async (req, reply) => {
    const rule = req.routeOptions.config.access ?? FALLBACK;
    if ('public' in rule) return;
    let principal: Principal;
    try {
      principal = req.principal ??= await auth.identify(req.headers, { address: req.ip });
    } catch (e) {
      if (e instanceof CatalogueError && e.code === 'TOO_MANY_LOGINS') return tooManyLogins(req, reply, e, rule);
      throw e;
    }
    if ('node' in rule) {
      if (principal.kind !== 'node') await refuse(auth, req, reply, { principal, rule, action: null });
      return;
    }
    if ('signedIn' in rule) {
      if (principal.kind === 'anonymous') await refuse(auth, req, reply, { principal, rule, action: null });
      return;
    }
    const grants = grantsFor(principal, rule, req.method);
    judgedWith.set(req, grants);
    // A preflight changes nothing and names no project: being a reader of some project is enough.
    const action = req.method === 'OPTIONS' ? 'read' : rule.action;
    if (!grantsAllow(grants, action)) return refuse(auth, req, reply, { principal, rule, action });
    const source = rule.project;
    if (action !== rule.action || source === undefined || !('in' in source) || source.in === 'body') return;
    await checkProjects(req, reply, principal, rule, grants, fieldValue(req, source));
  });

  app.addHook('preHandler', async (req, reply) => {
    const rule = req.routeOptions.config.access ?? FALLBACK;
    if (!('action' in rule) || rule.project === undefined || req.method === 'OPTIONS') return;
    const source = rule.project;
    if ('in' in source && source.in !== 'body') return;
    const grants = judgedWith.get(req) ?? grantsOf(req.principal ?? ANONYMOUS);
    const found = 'in' in source ? fieldValue(req, source) : await source.find(req);
    await checkProjects(req, reply, req.principal ?? ANONYMOUS, rule, grants, found);
  });

  const streamAccess: AccessTable['streamAccess'] = (req, project) => {
    const rule = req.routeOptions.config.access ?? FALLBACK;
    return {
      principal: req.principal ?? ANONYMOUS,
      reidentify: () => auth.identify(req.headers, { address: req.ip }),
      allows: (now) => !('action' in rule) || grantsAllow(grantsFor(now, rule, req.method), rule.action, project),
    };
  };

  return { routes: () => routes, streamAccess };
}

/**
 * The projects the caller may see (or act on) with an action: `*` for every one, else the named ones (empty:
 * none). Lists, counts, trees and streams filter with it. Only valid in a request the access hook has judged.
 */
export function projectsVisible(req: FastifyRequest, action: Action): '*' | ReadonlySet<string> {
  const grants = judgedWith.get(req) ?? grantsOf(req.principal ?? ANONYMOUS);
  let byAction = reach.get(grants);
  if (byAction === undefined) reach.set(grants, (byAction = new Map()));
  let projects = byAction.get(action);
  if (projects === undefined) byAction.set(action, (projects = projectsFor(grants, action)));
  return projects;
}

/**
 * Grants are never changed once a principal holds them (the built-in admin's are one frozen array, a user's are
 * those of the principal the resolver built), so their reach is computed once per grants object: every Scrapyd
 * call asks, and must pay next to nothing for it.
 */
const reach = new WeakMap<readonly Grant[], Map<Action, '*' | ReadonlySet<string>>>();

/** A not-found handler with its rule (fastify runs the root hooks for it, but onRoute never sees it). */
export function setNotFoundWithRule(
  app: Pick<FastifyInstance, 'setNotFoundHandler'>,
  rule: { access: AccessRule },
  handler: (req: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  // fastify keeps `config` of a not-found handler's options (lib/four-oh-four.js) though its types omit it.
  const set = app.setNotFoundHandler as unknown as (opts: object, h: typeof handler) => unknown;
  set.call(app, { config: rule }, handler);
}

const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });
