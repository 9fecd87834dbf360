/**
 * What the signed-in user may do, from the very table the master enforces (@scrapyard/protocol/role-actions):
 * the UI offers only what `can` allows; the API refuses the rest anyway.
 */
import type { Grant } from '@scrapyard/protocol';
import { grantsAllow, type Action } from '@scrapyard/protocol/role-actions';

export type Can = (action: Action, project?: string) => boolean;

export function canWith(grants: readonly Grant[]): Can {
  return (action, project) => grantsAllow(grants, action, project);
}

/** Nobody signed in: nothing is offered. */
export const CAN_NOTHING: Can = () => false;
