/**
 * The one rule of who may do what: role × action × project scope, as a table. Every surface (the Scrapyd API and
 * its pages and trees, the REST API, live tails and event streams, /metrics, the CLIs through the REST API) names
 * the action a route needs; this module alone decides. A new action is a new row here, nowhere else.
 *
 * Free of zod and of Node (types only are imported): the web UI bundles it (`@scrapyard/protocol/role-actions`) to
 * offer a person exactly what the master will let them do.
 */
import type { Grant, TokenRole } from './http/access.js';

/**
 * - `project` actions are checked against the project a request names; a grant covers it when it lists the
 *   project or is `*`. Lists and counts show only the projects a grant covers (`projectsFor`).
 * - `global` actions concern no project (nodes, users, settings, the whole /metrics): only a `*` grant reaches them.
 */
export interface ActionRule {
  scope: 'project' | 'global';
  roles: readonly TokenRole[];
  /** What it lets one do, for refusals: "a viewer may not <does>". */
  does: string;
}

const READERS = ['admin', 'maintainer', 'operator', 'viewer'] as const;
const OPERATORS = ['admin', 'maintainer', 'operator'] as const;
const MAINTAINERS = ['admin', 'maintainer'] as const;

export const ACTIONS = {
  read: { scope: 'project', roles: READERS, does: 'read jobs, logs, items, stats, schedules and alerts' },
  schedule: { scope: 'project', roles: OPERATORS, does: 'schedule jobs' },
  cancel: { scope: 'project', roles: OPERATORS, does: 'cancel jobs' },
  'run-schedule': { scope: 'project', roles: OPERATORS, does: 'run schedules now' },
  deploy: { scope: 'project', roles: MAINTAINERS, does: 'deploy versions' },
  delete: { scope: 'project', roles: MAINTAINERS, does: 'delete versions and projects' },
  configure: {
    scope: 'project',
    roles: MAINTAINERS,
    does: 'change policies, schedules, webhooks, alert rules and channels',
  },
  /** Node administration, enrollment, users, tokens of others, global settings, the audit log. */
  admin: { scope: 'global', roles: ['admin'], does: 'administer nodes, enrollment, users and settings' },
  /** The whole Prometheus exposition spans every project: a `*` reader or a `metrics` token. */
  metrics: { scope: 'global', roles: [...READERS, 'metrics'], does: 'read metrics' },
} as const satisfies Record<string, ActionRule>;

export type Action = keyof typeof ACTIONS;

const covers = (g: Grant, project: string) => g.projects === '*' || g.projects.includes(project);

/**
 * Whether grants allow an action. A project action with a project: on that project. Without one: on some
 * project (the check made before a body naming the project is read; the project is checked once it is known).
 */
export function grantsAllow(grants: readonly Grant[], action: Action, project?: string): boolean {
  const rule: ActionRule = ACTIONS[action];
  return grants.some(
    (g) =>
      rule.roles.includes(g.role) &&
      (rule.scope === 'global' ? g.projects === '*' : project === undefined || covers(g, project)),
  );
}

/** The projects an action reaches: `*` for all of them, else the named ones (empty: none). */
export function projectsFor(grants: readonly Grant[], action: Action): '*' | ReadonlySet<string> {
  const rule: ActionRule = ACTIONS[action];
  const named = new Set<string>();
  for (const g of grants) {
    if (!rule.roles.includes(g.role)) continue;
    if (g.projects === '*') return '*';
    if (rule.scope === 'project') for (const p of g.projects) named.add(p);
  }
  return named;
}

/**
 * Whether `inner` is never wider than `outer` (a token a user creates for themself, a grant an admin hands out):
 * every action the inner grants allow, on every project, the outer allow too.
 */
export function grantsWithin(inner: readonly Grant[], outer: readonly Grant[]): boolean {
  return inner.every((g) =>
    (Object.keys(ACTIONS) as Action[]).every((action) => {
      if (!grantsAllow([g], action)) return true;
      if (g.projects === '*') return projectsFor(outer, action) === '*';
      return g.projects.every((p) => grantsAllow(outer, action, p));
    }),
  );
}
