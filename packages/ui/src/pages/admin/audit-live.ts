/**
 * The admin pages kept live from `audit.appended` (pure): whether an entry belongs in the audit log under its
 * filters (as GET /api/v1/audit would answer: since inclusive, until exclusive, an action ending with `.` a
 * prefix), where it goes in a page (newest id first), and which entries concern a page that lists users or tokens.
 */
import type { AuditEntry } from '@scrapyard/protocol';
import type { AuditFilters } from './audit-query.js';

export function entryMatches(e: AuditEntry, f: AuditFilters): boolean {
  if (f.actor !== '' && e.actor.name !== f.actor) return false;
  if (f.action !== '' && (f.action.endsWith('.') ? !e.action.startsWith(f.action) : e.action !== f.action)) {
    return false;
  }
  if (f.project !== '' && e.project !== f.project) return false;
  if (f.since !== undefined && e.at < f.since) return false;
  if (f.until !== undefined && e.at >= f.until) return false;
  return true;
}

/** The first page after a new entry: in id order (newest first), once, at most `limit` entries. */
export function addEntry(entries: readonly AuditEntry[], e: AuditEntry, limit: number): readonly AuditEntry[] {
  if (entries.some((x) => x.id === e.id)) return entries;
  const at = entries.findIndex((x) => x.id < e.id);
  const out = at < 0 ? [...entries, e] : [...entries.slice(0, at), e, ...entries.slice(at)];
  return out.slice(0, limit);
}

/** Whether an action is one of `prefixes` (`user.`: every user action) or named exactly. */
export function concerns(action: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => (p.endsWith('.') ? action.startsWith(p) : action === p));
}
