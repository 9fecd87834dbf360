/**
 * The token roles a user may hand a token of their own (pure): those never wider than their own grants, and that
 * reach something on the user's projects (a `metrics` token needs every project).
 */
import type { Grant, TokenRole } from '@scrapyard/protocol';
import { ACTIONS, grantsAllow, grantsWithin, type Action } from '@scrapyard/protocol/role-actions';

const ROLES: readonly TokenRole[] = ['viewer', 'operator', 'maintainer', 'admin', 'metrics'];

export function tokenRolesFor(grants: readonly Grant[]): TokenRole[] {
  const actions = Object.keys(ACTIONS) as Action[];
  return ROLES.filter((role) =>
    grants.some((g) => {
      const token: Grant[] = [{ role, projects: g.projects }];
      return grantsWithin(token, grants) && actions.some((a) => grantsAllow(token, a));
    }),
  );
}
