/**
 * GET /api/v1/audit: the audit log, newest first, for admins only (it names every user, address and change).
 * Filters: actor (name) and actorKind, action (exact, or a prefix ending with `.`), project, since/until (epoch ms
 * or ISO 8601); `before` is the cursor (an answer's nextCursor), `limit` at most 1000.
 */
import { AuditPage, AuditQuery, parseOr400 } from '@scrapyard/protocol';
import type { FastifyRequest } from 'fastify';
import { grantsOf } from '../../auth/principal.js';
import { grantsAllow } from '../../auth/roles.js';
import { ApiError } from './api-error.js';
import type { CheckedApp } from './checked-answers.js';

export interface AuditRouteOptions {
  audit: { page(q: AuditQuery): Promise<AuditPage> };
}

/**
 * Reads of this API are open to readers, and under Scrapyd's open default to anyone: the audit log is not.
 * (When every route declares its action, this is `config: { access: { action: 'admin' } }`.)
 */
function requireAdmin(req: FastifyRequest): void {
  const p = req.principal ?? { kind: 'anonymous' };
  if (grantsAllow(grantsOf(p), 'admin')) return;
  if (p.kind === 'anonymous') throw new ApiError('UNAUTHORIZED', 'the audit log needs admin credentials');
  throw new ApiError('FORBIDDEN', `a ${p.kind} may not read the audit log (admin only)`);
}

export function auditRoutes(app: CheckedApp, o: AuditRouteOptions): void {
  app.get('/audit', { schema: { response: { 200: AuditPage } } }, async (req) => {
    requireAdmin(req);
    return o.audit.page(parseOr400(AuditQuery, req.query, 'query'));
  });
}
