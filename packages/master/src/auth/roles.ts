/**
 * The role × action table lives in the protocol package (`role-actions.ts`, zod-free so the web UI bundles the very
 * table the master enforces); the master's modules import it from here.
 */
import type { Grant } from '@scrapyard/protocol';

export { ACTIONS, grantsAllow, grantsWithin, projectsFor, type Action, type ActionRule } from '@scrapyard/protocol';

/** The grants of full access: the built-in admin of the config and the admin token. */
export const ADMIN_GRANTS: readonly Grant[] = Object.freeze([Object.freeze({ role: 'admin', projects: '*' } as const)]);
