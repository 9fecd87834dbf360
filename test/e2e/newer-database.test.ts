/**
 * A master given a database that a newer release migrated (a downgrade, or an old binary pointed at a shared
 * PostgreSQL) refuses to start and says what to do, and so does `scrapyard-master migrate`; nothing is migrated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/agents.js';
import { pgQuery } from '../helpers/postgres.js';
import { databaseFor, startMaster, tempDir } from '../helpers/processes.js';
import { queryMasterDb } from '../helpers/sqlite.js';
import { writeMasterDb } from '../helpers/sqlite-write.js';

const FUTURE = '0999-from-a-newer-release';
const REFUSAL =
  /DATABASE_FROM_NEWER_RELEASE: the database at .+ was written by a newer Scrapyard \(migration 0999-from-a-newer-release unknown\); downgrade is not supported: restore a backup or run the newer release/;

void test('a database from a newer release: the master and migrate refuse it, naming the unknown migration', async (t) => {
  const dataDir = tempDir(t);
  const first = await startMaster(t, { dataDir });
  assert.equal(await first.stop(), 0);
  const url = databaseFor(dataDir);
  const insert = 'INSERT INTO kysely_migration (name, timestamp) VALUES ($1, $2)';
  if (url) await pgQuery(url, insert, [FUTURE, '2030-01-01T00:00:00.000Z']);
  else writeMasterDb(dataDir, insert.replace('$1, $2', '?, ?'), [[FUTURE, '2030-01-01T00:00:00.000Z']]);
  const migrations = async () =>
    url
      ? String((await pgQuery<{ n: string }>(url, 'SELECT count(*) AS n FROM kysely_migration'))[0]!.n)
      : String(queryMasterDb(dataDir, 'SELECT count(*) AS n FROM kysely_migration')[0]!.n);
  const before = await migrations();

  await assert.rejects(startMaster(t, { dataDir }), (e: Error) => {
    assert.match(e.message, /master exited during start-up/);
    assert.match(e.message, REFUSAL);
    return true;
  });
  const migrate = await runCli('master', ['migrate', '--data-dir', dataDir], {
    env: { SCRAPYARD_DATABASE_URL: url ?? '' },
  });
  assert.equal(migrate.code, 1, migrate.all);
  assert.match(migrate.stderr, REFUSAL);
  assert.equal(await migrations(), before, 'nothing migrated');
});
