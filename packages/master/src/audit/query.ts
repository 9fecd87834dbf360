/** Reading the audit log: a page of entries as the REST API answers it, newest first, with its cursor. */
import type { AuditPage, AuditQuery } from '@scrapyard/protocol';
import type { AuditRepo, AuditRow } from '../db/repos/audit.js';

export async function auditPage(repo: Pick<AuditRepo, 'page'>, q: AuditQuery): Promise<AuditPage> {
  const rows = await repo.page({
    actorKind: q.actorKind,
    actorName: q.actor,
    action: q.action,
    project: q.project,
    since: q.since,
    until: q.until,
    before: q.before,
    limit: q.limit,
  });
  const entries = rows.map(entryOf);
  return { entries, nextCursor: entries.length === q.limit ? entries.at(-1)!.id : null };
}

/** A stored row as the REST API (and the live stream) show it. */
export function entryOf(r: AuditRow): AuditPage['entries'][number] {
  return {
    id: Number(r.id),
    at: Number(r.at),
    actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
    action: r.action,
    target: r.target,
    project: r.project,
    summary: JSON.parse(r.summary) as Record<string, unknown>,
    address: r.address,
  };
}
