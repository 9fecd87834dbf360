import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { testDatabaseUrl } from '../../../../test/helpers/postgres.js';
import { migrateStore, openDatabase, type StoreOptions } from './database.js';
import { testEachStore } from './stores.test-support.js';

testEachStore(
  'a database a newer release migrated is refused as such, by start-up and by migrate',
  {},
  async (t, store) => {
    const dataDir = mkdtempSync(join(tmpdir(), `scrapyard-newer-${store}-`));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const o: StoreOptions = { dataDir, databaseUrl: store === 'postgres' ? await testDatabaseUrl(t) : '' };
    const applied: string[][] = [];
    const db = await openDatabase({ ...o, onMigrated: (names) => applied.push(names) });
    try {
      await sql`insert into kysely_migration (name, timestamp) values ('0999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(
        db,
      );
    } finally {
      await db.destroy();
    }
    assert.ok(applied[0]!.includes('0001-init'), 'a new database is migrated, and the migrations are told');
    const again: string[][] = [];
    for (const open of [
      () => openDatabase({ ...o, onMigrated: (names) => again.push(names) }),
      () => openDatabase({ ...o, autoMigrate: false }),
      () => migrateStore(o),
    ]) {
      await assert.rejects(open, (e: Error) => {
        assert.match(
          e.message,
          /^DATABASE_FROM_NEWER_RELEASE: the database at .+ was written by a newer Scrapyard \(migration 0999-from-the-future unknown\); downgrade is not supported: restore a backup or run the newer release$/,
        );
        return true;
      });
    }
    assert.deepEqual(again, [], 'nothing is migrated on a database from a newer release');
  },
);

testEachStore('an up-to-date database is opened with no migration to apply', {}, async (t, store) => {
  const dataDir = mkdtempSync(join(tmpdir(), `scrapyard-current-${store}-`));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const o: StoreOptions = { dataDir, databaseUrl: store === 'postgres' ? await testDatabaseUrl(t) : '' };
  await (await openDatabase(o)).destroy();
  const told: string[][] = [];
  await (await openDatabase({ ...o, onMigrated: (names) => told.push(names) })).destroy();
  assert.deepEqual(told, [[]]);
});
