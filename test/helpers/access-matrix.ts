/**
 * The role × endpoint matrix, generated from GET /api/v1/access: for every route, a request that names project
 * `a` wherever the route reads a project from the request, and what each principal must get: refused (401 for
 * no credentials, 403 for a too-small role; 401 on the Scrapyd surface for anyone who is no Scrapyd user at all)
 * or not refused. A route the table lists is in the matrix; a route without a rule can't even be registered.
 *
 * A principal is described by what it holds (its grants, or `anonymous`, or an agent `node`), and how it
 * proves it (headers): the same table serves the unit matrix (app.inject) and the e2e one (real HTTP).
 */
import type { AccessTableResponse, Grant, RouteAccessView } from '@scrapyard/protocol';

export interface MatrixPrincipal {
  name: string;
  headers: Record<string, string>;
  /** What it holds. */
  holds: 'anonymous' | 'node' | readonly Grant[];
}

export interface MatrixRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** 'ok': not refused (any status but 401 and 403). */
export type Expected = 'ok' | 401 | 403 | 'identified' | 'any';

/** The project every generated request names. */
export const NAMED = 'a';

/**
 * Sources the request itself feeds (the path, the query, the body, Scrapyd's parameters); others are a stored
 * resource's own project (none exists in a matrix run: the route answers 404 after the check).
 */
const FED = /^(query|params|body)\.|^the project parameter$|^the first segment of the path$| and body\./;

export function namesProject(route: RouteAccessView): boolean {
  if (route.method === 'OPTIONS' || route.project === null || !FED.test(route.project)) return false;
  // A tree's own index (`/logs`) names no project; its paths (`/logs/*`) do.
  return route.project !== 'the first segment of the path' || route.url.endsWith('*');
}

/** A resource of every project (a channel): only a `*` grant reaches it. */
const coversEvery = (route: RouteAccessView) => route.method !== 'OPTIONS' && route.project === 'every project';

/**
 * Routes that, once allowed, stream without end (the live event stream): the matrix asks them something they refuse
 * after the check (a 400), as it asks other routes for a missing resource (a 404 after the check).
 */
const ENDLESS: Readonly<Record<string, string>> = { '/api/v1/events': '?types=no-such-family' };

/** The request the matrix sends to a route. */
export function requestFor(route: RouteAccessView): MatrixRequest {
  const path = route.url
    .replace(/:project\b/g, NAMED)
    .replace(/:[A-Za-z]+/g, 'missing1')
    .replace(/\*$/, `${NAMED}/`);
  const query =
    ENDLESS[route.url] ??
    (route.surface === 'scrapyd' || route.project?.startsWith('query.') ? `?project=${NAMED}` : '');
  const withBody = route.surface !== 'scrapyd' && ['POST', 'PUT', 'PATCH'].includes(route.method);
  return {
    method: route.method,
    path: `${path}${query}`,
    headers: withBody ? { 'content-type': 'application/json' } : {},
    ...(withBody ? { body: JSON.stringify({ project: NAMED, condition: { project: NAMED } }) } : {}),
  };
}

type Actions = AccessTableResponse['actions'];

/** Whether grants allow an action: on some project; on `project`; or (null) on every project. */
function allows(actions: Actions, grants: readonly Grant[], action: string, project?: string | null): boolean {
  const rule = actions.find((a) => a.action === action);
  if (!rule) throw new Error(`the role table has no action ${action}`);
  return grants.some(
    (g) =>
      rule.roles.includes(g.role) &&
      (rule.scope === 'global' || project === null
        ? g.projects === '*'
        : project === undefined || g.projects === '*' || g.projects.includes(project)),
  );
}

/** What a principal must get from a route (auth closed: credentials configured or users exist). */
export function expected(actions: Actions, route: RouteAccessView, p: MatrixPrincipal): Expected {
  // No rule to hold: the route checks its own credential (a login's password, a session's cookie).
  if (route.public) return 'any';
  if (route.node) return p.holds === 'node' ? 'ok' : p.holds === 'anonymous' ? 401 : 403;
  // Anyone identified passes the rule; the handler decides what each kind may do (a password is a user's).
  if (route.signedIn) return p.holds === 'anonymous' ? 401 : 'identified';
  const grants = typeof p.holds === 'string' ? [] : p.holds;
  if (p.holds === 'anonymous') return 401;
  const action = route.method === 'OPTIONS' ? 'read' : route.action!;
  const ok =
    allows(actions, grants, action) &&
    (!namesProject(route) || allows(actions, grants, action, NAMED)) &&
    (!coversEvery(route) || allows(actions, grants, action, null));
  if (ok) return 'ok';
  if (route.surface === 'scrapyd' && !allows(actions, grants, 'read')) return 401;
  return 403;
}

/** A principal for each role on every project, on project `a`, on project `b`, and one holding nothing. */
export function rolePrincipals(
  roles: readonly Grant['role'][],
  headersFor: (name: string) => Record<string, string>,
): MatrixPrincipal[] {
  const out: MatrixPrincipal[] = [{ name: 'no-role', headers: headersFor('no-role'), holds: [] }];
  for (const role of roles) {
    for (const [scope, projects] of [
      ['all', '*'],
      ['a', [NAMED]],
      ['b', ['b']],
    ] as const) {
      const name = `${role}-of-${scope}`;
      out.push({ name, headers: headersFor(name), holds: [{ role, projects } as Grant] });
    }
  }
  return out;
}

/** Runs every route × principal; returns the mismatches (empty: the matrix holds) and how many cases ran. */
export async function runMatrix(
  table: AccessTableResponse,
  principals: readonly MatrixPrincipal[],
  send: (r: MatrixRequest) => Promise<{ status: number; text: string }>,
): Promise<{ failures: string[]; cases: number }> {
  const failures: string[] = [];
  let cases = 0;
  for (const route of table.routes) {
    const req = requestFor(route);
    for (const p of principals) {
      const want = expected(table.actions, route, p);
      const got = await send({ ...req, headers: { ...req.headers, ...p.headers } });
      cases++;
      const refused = got.status === 401 || got.status === 403;
      const fine =
        want === 'any'
          ? true
          : want === 'ok'
            ? !refused
            : want === 'identified'
              ? got.status !== 401
              : got.status === want;
      if (!fine) {
        const rule = route.public
          ? 'public'
          : route.node
            ? 'node'
            : route.signedIn
              ? 'signed in'
              : `${route.action} on ${route.project ?? '-'}`;
        failures.push(
          `${req.method} ${req.path} (${rule}) as ${p.name}: want ${want}, got ${got.status} ${got.text.slice(0, 160)}`,
        );
      }
    }
  }
  return { failures, cases };
}
