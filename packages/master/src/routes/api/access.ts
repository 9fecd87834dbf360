/**
 * GET /api/v1/access (admin): every route of every surface with the rule it declares, and the role table
 * (auth/roles.ts). The role × endpoint matrix test is generated from it, so a route can't escape the matrix.
 */
import { AccessTableResponse, type RouteAccessView } from '@scrapyard/protocol';
import type { AccessTable, RouteAccess } from '../../auth/access.js';
import { describeSource, needs } from '../../auth/access-rules.js';
import { ACTIONS, type Action } from '../../auth/roles.js';
import type { CheckedApp } from './checked-answers.js';

function surfaceOf(r: RouteAccess): RouteAccessView['surface'] {
  if ('surface' in r.rule && r.rule.surface === 'scrapyd') return 'scrapyd';
  if (r.url.startsWith('/agent/')) return 'agent';
  return r.url.startsWith('/api/') ? 'rest' : 'metrics';
}

export function viewOf(r: RouteAccess): RouteAccessView {
  const rule = r.rule;
  return {
    method: r.method,
    url: r.url,
    surface: surfaceOf(r),
    action: 'action' in rule ? rule.action : null,
    project: 'action' in rule ? describeSource(rule.project) : null,
    public: 'public' in rule,
    node: 'node' in rule,
    signedIn: 'signedIn' in rule,
  };
}

export function accessRoutes(app: CheckedApp, o: { table: AccessTable }): void {
  const answers = { schema: { response: { 200: AccessTableResponse } }, config: needs('admin') };
  app.get('/access', answers, async () => ({
    routes: o.table.routes().map(viewOf),
    actions: (Object.keys(ACTIONS) as Action[]).map((action) => {
      const { scope, roles, does } = ACTIONS[action];
      return { action, scope, roles: [...roles], does };
    }),
  }));
}
