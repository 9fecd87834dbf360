/**
 * The audit log (audit/): append-only rows, written in batches by the audit writer, read newest first by id (the
 * cursor), and pruned from the oldest by age and by count. Every filter is a column of an index of migration
 * 0010, so a page is an index walk on both stores.
 */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { AuditLogTable } from '../schema-auth.js';
import { batchSizes } from './metrics.js';

export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Omit<Insertable<AuditLogTable>, 'id'>;

export interface AuditFilter {
  actorKind?: string | undefined;
  actorName?: string | undefined;
  /** An exact action (`job.schedule`), or a prefix when it ends with `.` (`user.`). */
  action?: string | undefined;
  project?: string | undefined;
  /** Epoch ms, inclusive. */
  since?: number | undefined;
  /** Epoch ms, exclusive. */
  until?: number | undefined;
  /** The cursor: only entries with a smaller id. */
  before?: number | undefined;
  limit: number;
}

export function createAuditRepo(db: Db) {
  return {
    /**
     * Appends rows in few distinct INSERT sizes (each a statement SQLite keeps prepared); answers them as stored,
     * with their ids (the live stream shows them as the REST API lists them).
     */
    async insert(rows: readonly NewAuditRow[]): Promise<AuditRow[]> {
      const stored: AuditRow[] = [];
      let i = 0;
      for (const size of batchSizes(rows.length)) {
        const batch = await db
          .insertInto('audit_log')
          .values(rows.slice(i, i + size))
          .returningAll()
          .execute();
        stored.push(...batch);
        i += size;
      }
      return stored;
    },

    /** Newest first. */
    page(f: AuditFilter): Promise<AuditRow[]> {
      let q = db.selectFrom('audit_log').selectAll();
      if (f.actorKind !== undefined) q = q.where('actor_kind', '=', f.actorKind);
      if (f.actorName !== undefined) q = q.where('actor_name', '=', f.actorName);
      if (f.action !== undefined) {
        // Actions are lower-case letters, digits, dots and dashes: no LIKE wildcard to escape, same case on both.
        q = f.action.endsWith('.') ? q.where('action', 'like', `${f.action}%`) : q.where('action', '=', f.action);
      }
      if (f.project !== undefined) q = q.where('project', '=', f.project);
      if (f.since !== undefined) q = q.where('at', '>=', f.since);
      if (f.until !== undefined) q = q.where('at', '<', f.until);
      if (f.before !== undefined) q = q.where('id', '<', f.before);
      return q.orderBy('id', 'desc').limit(f.limit).execute();
    },

    /** Deletes at most `batch` entries older than `at`, oldest first; how many went. */
    async pruneOlderThan(at: number, batch: number): Promise<number> {
      const oldest = db.selectFrom('audit_log').select('id').where('at', '<', at).orderBy('id').limit(batch);
      const r = await db.deleteFrom('audit_log').where('id', 'in', oldest).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /**
     * Deletes at most `batch` of the entries beyond the newest `keep` ids, oldest first; how many went. By id, not by
     * counting rows (an OFFSET of a million walks the index, and SQLite would block the event loop meanwhile): ids
     * only grow and deletions take the oldest, so the ids kept are the newest ones.
     */
    async pruneBeyond(keep: number, batch: number): Promise<number> {
      const top = await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      const edge = Number(top?.id ?? 0) - keep;
      if (edge <= 0) return 0;
      const oldest = db.selectFrom('audit_log').select('id').where('id', '<=', edge).orderBy('id').limit(batch);
      const r = await db.deleteFrom('audit_log').where('id', 'in', oldest).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
