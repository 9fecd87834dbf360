/**
 * Who is calling, once identified (authenticator.ts). Each kind carries what decides its reach: grants for
 * people and tokens (auth/roles.ts), fixed reach for the rest.
 *
 * - `scrapyd-user`: the built-in admin, the `username`/`password` pair of the config (Scrapyd's semantics).
 * - `admin`: the admin token of `<data_dir>/admin-token` (what `scrapyard-master` commands send on the master host).
 * - `user`: a person, by password (basic auth) or by browser session (`sessionId`).
 * - `token`: an API token (`sy_…`), as bearer or as the basic-auth password of any username; `ownerId` is the
 *   user who created it for themself, null for a service account's.
 * - `node`: an agent's session token (given in WELCOME), for egg downloads.
 * - `anonymous`: anything else, including wrong credentials (which must not be told apart from none).
 */
import type { Grant } from '@scrapyard/protocol';
import { ADMIN_GRANTS } from './roles.js';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'scrapyd-user'; username: string }
  | { kind: 'admin'; via: 'admin-token' }
  | { kind: 'user'; userId: string; name: string; grants: readonly Grant[]; sessionId?: string }
  | { kind: 'token'; tokenId: string; name: string; ownerId: string | null; grants: readonly Grant[] }
  | { kind: 'node'; nodeId: string };

const NONE: readonly Grant[] = Object.freeze([]);

/** The grants a principal holds (auth/roles.ts decides what they allow). Nodes and strangers hold none. */
export function grantsOf(p: Principal): readonly Grant[] {
  switch (p.kind) {
    case 'scrapyd-user':
    case 'admin':
      return ADMIN_GRANTS;
    case 'user':
    case 'token':
      return p.grants;
    case 'node':
    case 'anonymous':
      return NONE;
  }
}

/** How an audit entry or a log line names the principal (never a secret). */
export function actorOf(p: Principal): { kind: Principal['kind']; id: string | null; name: string | null } {
  switch (p.kind) {
    case 'scrapyd-user':
      return { kind: p.kind, id: null, name: p.username };
    case 'user':
      return { kind: p.kind, id: p.userId, name: p.name };
    case 'token':
      return { kind: p.kind, id: p.tokenId, name: p.name };
    case 'node':
      return { kind: p.kind, id: p.nodeId, name: null };
    default:
      return { kind: p.kind, id: null, name: null };
  }
}
