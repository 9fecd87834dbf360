/**
 * Whether an open stream must prove its credentials again: after an `access.changed` about its principal (its
 * token, its session, its user or a token's owner), and whether the principal it proves to be now is still the one
 * that opened it (a different or no principal ends the stream).
 */
import type { Principal } from '../auth/principal.js';
import type { Published } from '../events/domain-events.js';

export function concerns(e: Published<'access.changed'>, p: Principal): boolean {
  switch (e.entity) {
    case 'session':
      return p.kind === 'user' && p.sessionId === e.id;
    case 'token':
      return p.kind === 'token' && p.tokenId === e.id;
    case 'user':
      return (p.kind === 'user' && p.userId === e.id) || (p.kind === 'token' && p.ownerId === e.id);
  }
}

export function samePrincipal(a: Principal, b: Principal): boolean {
  switch (a.kind) {
    case 'anonymous':
      return false;
    case 'scrapyd-user':
      return b.kind === a.kind && b.username === a.username;
    case 'admin':
      return b.kind === a.kind;
    case 'user':
      return b.kind === a.kind && b.userId === a.userId && b.sessionId === a.sessionId;
    case 'token':
      return b.kind === a.kind && b.tokenId === a.tokenId;
    case 'node':
      return b.kind === a.kind && b.nodeId === a.nodeId;
  }
}
