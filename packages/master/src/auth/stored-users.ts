/**
 * Whether the configured store already holds users, read before the master starts: users are credentials too,
 * so a master bound beyond loopback without the config's username/password is not an open one when they exist.
 * Never creates anything: a SQLite file that does not exist yet holds no users, and a schema without the users
 * table (an older release's) neither.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../db/database.js';

export async function storedUsersExist(o: { dataDir: string; databaseUrl: string }): Promise<boolean> {
  if (!o.databaseUrl && !existsSync(join(o.dataDir, 'master.sqlite'))) return false;
  let db;
  try {
    db = await openDatabase({ dataDir: o.dataDir, databaseUrl: o.databaseUrl, autoMigrate: false });
    const r = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n) > 0;
  } catch {
    return false;
  } finally {
    await db?.destroy();
  }
}
