/** Migration 0009 moves the marks webhooks and alerts kept in `delivery_marks` to their consumers (and back). */
import assert from 'node:assert/strict';
import { Migrator } from 'kysely';
import { createConsumerMarks } from '../repos/consumer-marks.js';
import { createDeliveriesRepo } from '../repos/deliveries.js';
import { openTestDatabase, testEachStore } from '../stores.test-support.js';
import { migrationProvider } from './index.js';

testEachStore('an upgrade catches up from where webhooks and alerts were', {}, async (t, store) => {
  const db = await openTestDatabase(t, store);
  const migrator = new Migrator({ db, provider: migrationProvider });
  assert.equal((await migrator.migrateTo('0008-alerts')).error, undefined);
  const deliveries = createDeliveriesRepo(db);
  await deliveries.setMark('jobs', 1_000);
  await deliveries.setMark('alerts.jobs', 2_000);
  await deliveries.setMark('items:wh_1:run', 77);

  assert.equal((await migrator.migrateToLatest()).error, undefined);
  const marks = createConsumerMarks(db);
  assert.deepEqual(
    [await marks.get('webhooks'), await marks.get('webhook-items'), await marks.get('alerts')],
    [1_000, 1_000, 2_000],
  );
  assert.equal(await deliveries.mark('jobs'), null);
  assert.equal(await deliveries.mark('alerts.jobs'), null);
  assert.equal(await deliveries.mark('items:wh_1:run'), 77, 'the items cursors stay');

  assert.equal((await migrator.migrateTo('0008-alerts')).error, undefined);
  assert.deepEqual([await deliveries.mark('jobs'), await deliveries.mark('alerts.jobs')], [1_000, 2_000]);
});
