/**
 * API tokens (table `api_tokens`) and the facts of their owners the resolver needs (table `users`: disabled flag
 * and grants, read directly so tokens don't wait on the users service). Only digests are stored and looked up.
 * Portable SQL only (SQLite and PostgreSQL); bigint columns come back as strings from PostgreSQL, hence `num`.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { ApiTokensTable } from '../schema-auth.js';

export type ApiTokenRow = Selectable<ApiTokensTable>;

/** A token with what its owner is now (null for a service account's token, or an owner that no longer exists). */
export interface TokenWithOwner {
  token: ApiTokenRow;
  owner: { name: string; grants: string; disabled: boolean } | null;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));
const rowOf = (r: ApiTokenRow): ApiTokenRow => ({
  ...r,
  created_at: Number(r.created_at),
  expires_at: num(r.expires_at),
  last_used_at: num(r.last_used_at),
  revoked_at: num(r.revoked_at),
});

export function createApiTokensRepo(db: Db) {
  return {
    async insert(row: ApiTokenRow): Promise<void> {
      await db.insertInto('api_tokens').values(row).execute();
    },

    async get(id: string): Promise<ApiTokenRow | undefined> {
      const r = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return r && rowOf(r);
    },

    /** Every token, or those of one owner; oldest first. */
    async list(ownerId?: string): Promise<ApiTokenRow[]> {
      let q = db.selectFrom('api_tokens').selectAll();
      if (ownerId !== undefined) q = q.where('owner_id', '=', ownerId);
      return (await q.orderBy('created_at').orderBy('id').execute()).map(rowOf);
    },

    /** The token with this digest and its owner's current state, in one query (the resolver's only read). */
    async byDigest(digest: string): Promise<TokenWithOwner | undefined> {
      const r = await db
        .selectFrom('api_tokens')
        .leftJoin('users', 'users.id', 'api_tokens.owner_id')
        .selectAll('api_tokens')
        .select(['users.name as owner_name', 'users.grants as owner_grants', 'users.disabled as owner_disabled'])
        .where('api_tokens.digest', '=', digest)
        .executeTakeFirst();
      if (r === undefined) return undefined;
      const { owner_name, owner_grants, owner_disabled, ...token } = r;
      const owner =
        owner_name === null || owner_grants === null
          ? null
          : { name: owner_name, grants: owner_grants, disabled: Number(owner_disabled) !== 0 };
      return { token: rowOf(token), owner };
    },

    /** Marks the token revoked (once: a second revoke keeps the first time); false when there is no such token. */
    async revoke(id: string, at: number): Promise<boolean> {
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return (await this.get(id)) !== undefined;
    },

    /** Removes a token for good (the config's metrics token once its key is gone); false when there was none. */
    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Records the last use of many tokens in one statement (the coalesced flush). */
    async touch(ids: readonly string[], at: number): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: at })
        .where('id', 'in', [...ids])
        .execute();
    },
  };
}
export type ApiTokensRepo = ReturnType<typeof createApiTokensRepo>;
