/**
 * People (table `users`): names, scrypt password hashes (auth/passwords.ts), grants as JSON, the disabled flag.
 * Changes run in a transaction that reads every user with the rows locked (a handful of rows), so a rule over all
 * of them (the last enabled admin stays) holds when two changes race on PostgreSQL.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import { forUpdate } from '../dialect.js';
import type { UsersTable } from '../schema-auth.js';

export type UserRow = Selectable<UsersTable>;

const rowOf = (r: UserRow): UserRow => ({
  ...r,
  disabled: Number(r.disabled),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
  password_changed_at: Number(r.password_changed_at),
});

/** What a change decides from the row and every user: new values, or delete it. */
export type UserChange = Partial<Omit<UserRow, 'id' | 'created_at'>> | 'delete';

export function createUsersRepo(db: Db) {
  const allIn = async (q: Db, lock: boolean) => {
    const select = q.selectFrom('users').selectAll().orderBy('name');
    return (await (lock ? forUpdate(q, select) : select).execute()).map(rowOf);
  };
  return {
    all: (): Promise<UserRow[]> => allIn(db, false),

    async byName(name: string): Promise<UserRow | undefined> {
      const r = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return r && rowOf(r);
    },

    async get(id: string): Promise<UserRow | undefined> {
      const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r && rowOf(r);
    },

    async count(): Promise<number> {
      const r = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** Inserts the user; false when the name is taken (also when a racing insert took it first). */
    async insert(row: UserRow): Promise<boolean> {
      try {
        return await db.transaction().execute(async (tx) => {
          const taken = await tx.selectFrom('users').select('id').where('name', '=', row.name).executeTakeFirst();
          if (taken) return false;
          await tx.insertInto('users').values(row).execute();
          return true;
        });
      } catch (e) {
        // The unique index refused a racing insert of the same name.
        if ((await db.selectFrom('users').select('id').where('name', '=', row.name).executeTakeFirst()) !== undefined) {
          return false;
        }
        throw e;
      }
    },

    /**
     * Applies `decide(row, all)` to the user `id` with every user read and locked; `decide` throws to refuse.
     * The row after the change (undefined: deleted), or null when there is no such user.
     */
    change: (id: string, decide: (row: UserRow, all: readonly UserRow[]) => UserChange) =>
      db.transaction().execute(async (tx): Promise<{ before: UserRow; after: UserRow | undefined } | null> => {
        const all = await allIn(tx, true);
        const row = all.find((u) => u.id === id);
        if (!row) return null;
        const change = decide(row, all);
        if (change === 'delete') {
          await tx.deleteFrom('users').where('id', '=', id).execute();
          return { before: row, after: undefined };
        }
        await tx.updateTable('users').set(change).where('id', '=', id).execute();
        return { before: row, after: { ...row, ...change } };
      }),

    /** Replaces a hash made at an older cost, unless the password changed meanwhile. */
    async upgradeHash(id: string, oldHash: string, newHash: string): Promise<boolean> {
      const r = await db
        .updateTable('users')
        .set({ password_hash: newHash })
        .where('id', '=', id)
        .where('password_hash', '=', oldHash)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
export type UsersRepo = ReturnType<typeof createUsersRepo>;
