/**
 * GET /api/v1/audit: the audit log, newest first, for admins only (it names every user, address and change).
 * Filters: actor (name) and actorKind, action (exact, or a prefix ending with `.`), project, since/until (epoch ms
 * or ISO 8601); `before` is the cursor (an answer's nextCursor), `limit` at most 1000.
 */
import { AuditPage, AuditQuery, parseOr400 } from '@scrapyard/protocol';
import { needs } from '../../auth/access-rules.js';
import type { CheckedApp } from './checked-answers.js';

export interface AuditRouteOptions {
  audit: { page(q: AuditQuery): Promise<AuditPage> };
}

export function auditRoutes(app: CheckedApp, o: AuditRouteOptions): void {
  const opts = { schema: { response: { 200: AuditPage } }, config: needs('admin') };
  app.get('/audit', opts, async (req) => o.audit.page(parseOr400(AuditQuery, req.query, 'query')));
}
