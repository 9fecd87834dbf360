/**
 * A user's token acts for its owner: at each use its grants are capped by the owner's grants of that moment (a
 * demoted owner's tokens shrink with them). The roles form a chain by what they allow (metrics ⊂ viewer ⊂ operator
 * ⊂ maintainer ⊂ admin, in auth/roles.ts), so two grants meet at the narrower role on the projects both cover.
 */
import type { Grant, TokenRole } from '@scrapyard/protocol';
import { ACTIONS, type Action, type ActionRule } from './roles.js';

const actionsOf = (role: TokenRole) =>
  (Object.keys(ACTIONS) as Action[]).filter((a) => (ACTIONS[a] as ActionRule).roles.includes(role));

/** The role of the two whose actions are a subset of the other's; undefined when neither is (no such pair today). */
function narrower(a: TokenRole, b: TokenRole): TokenRole | undefined {
  const [of, ob] = [actionsOf(a), actionsOf(b)];
  if (of.every((x) => ob.includes(x))) return a;
  if (ob.every((x) => of.includes(x))) return b;
  return undefined;
}

function meet(a: Grant['projects'], b: Grant['projects']): Grant['projects'] | undefined {
  if (a === '*') return b;
  if (b === '*') return a;
  const both = a.filter((p) => b.includes(p));
  return both.length > 0 ? both : undefined;
}

/** What `inner` still allows within `outer`: each pair of grants met, the empty ones dropped. */
export function capGrants(inner: readonly Grant[], outer: readonly Grant[]): Grant[] {
  const out: Grant[] = [];
  for (const g of inner) {
    for (const o of outer) {
      const role = narrower(g.role, o.role);
      const projects = meet(g.projects, o.projects);
      if (role !== undefined && projects !== undefined) out.push({ role, projects });
    }
  }
  return out;
}
