/**
 * Browser sessions (auth/browser-sessions.ts decides; this only queries). A session is found by the digest of its
 * cookie, together with what decides whether its user may still use it (disabled, password changed, grants), in
 * one query. Portable SQL only (SQLite and PostgreSQL).
 */
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { BrowserSessionsTable } from '../schema-auth.js';

export type BrowserSessionRow = Selectable<BrowserSessionsTable>;

/** A session with its user's name. */
export type SessionWithUser = BrowserSessionRow & { user_name: string };

/** A session and the user facts checked at every use. */
export type LiveSessionRow = SessionWithUser & {
  user_grants: string;
  user_disabled: number;
  user_updated_at: number;
  user_password_changed_at: number;
};

/** Most ids one IN list carries (SQLite binds at most 32 766 parameters; PostgreSQL 65 535). */
const IN_BATCH = 500;

export function createBrowserSessionsRepo(db: Db) {
  const withUser = () =>
    db
      .selectFrom('browser_sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .selectAll('s')
      .select('u.name as user_name');

  return {
    async insert(row: BrowserSessionRow): Promise<void> {
      await db.insertInto('browser_sessions').values(row).execute();
    },

    /** The session holding this cookie digest, with its user; undefined when either is gone. */
    byDigest: (digest: string): Promise<LiveSessionRow | undefined> =>
      withUser()
        .select([
          'u.grants as user_grants',
          'u.disabled as user_disabled',
          'u.updated_at as user_updated_at',
          'u.password_changed_at as user_password_changed_at',
        ])
        .where('s.digest', '=', digest)
        .executeTakeFirst(),

    get: (id: string): Promise<SessionWithUser | undefined> => withUser().where('s.id', '=', id).executeTakeFirst(),

    /** Sessions, newest first: of one user (by id or name), or of everyone. */
    list(user: string | undefined, limit: number): Promise<SessionWithUser[]> {
      let q = withUser();
      if (user !== undefined) q = q.where((eb) => eb.or([eb('u.id', '=', user), eb('u.name', '=', user)]));
      return q.orderBy('s.created_at', 'desc').orderBy('s.id').limit(limit).execute();
    },

    /** Deletes one session; false when it was already gone. */
    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('browser_sessions').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Deletes every session of a user; returns their ids. */
    async deleteForUser(userId: string): Promise<string[]> {
      const rows = await db.selectFrom('browser_sessions').select('id').where('user_id', '=', userId).execute();
      await deleteIds(rows.map((r) => r.id));
      return rows.map((r) => r.id);
    },

    /**
     * Deletes a user's oldest sessions so that `keep` remain, never `newest` (the one just created, even when others
     * share its millisecond); returns their ids.
     */
    async evictBeyond(userId: string, keep: number, newest: string): Promise<string[]> {
      const rows = await db
        .selectFrom('browser_sessions')
        .select('id')
        .where('user_id', '=', userId)
        .where('id', '!=', newest)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(Math.max(0, keep - 1))
        .limit(10_000)
        .execute();
      await deleteIds(rows.map((r) => r.id));
      return rows.map((r) => r.id);
    },

    /** Records when sessions were last used; never moves a time back. One statement per batch. */
    async touch(ids: readonly string[], at: number): Promise<void> {
      for (let i = 0; i < ids.length; i += IN_BATCH) {
        await db
          .updateTable('browser_sessions')
          .set({ last_seen_at: at })
          .where('id', 'in', ids.slice(i, i + IN_BATCH))
          .where('last_seen_at', '<', at)
          .execute();
      }
    },

    /** Deletes sessions past their absolute expiry or unused since `idleBefore`; returns how many. */
    async prune(now: number, idleBefore: number): Promise<number> {
      const r = await db
        .deleteFrom('browser_sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };

  async function deleteIds(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += IN_BATCH) {
      await db
        .deleteFrom('browser_sessions')
        .where('id', 'in', ids.slice(i, i + IN_BATCH))
        .execute();
    }
  }
}

export type BrowserSessionsRepo = ReturnType<typeof createBrowserSessionsRepo>;
