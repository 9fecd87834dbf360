/** Project scoping of the alert list: the alerts of the rules a caller may see, chosen in the query (full pages). */
import assert from 'node:assert/strict';
import { openTestDatabase, testEachStore } from '../stores.test-support.js';
import { createAlertsRepo } from './alerts.js';

testEachStore('a page of the alerts of some rules is full, and of no rule is empty', {}, async (t, store) => {
  const repo = createAlertsRepo(await openTestDatabase(t, store));
  for (const id of ['ar_a', 'ar_b']) {
    await repo.rules.insert({
      id,
      name: id,
      kind: 'job_outcome',
      condition: '{}',
      channels: '[]',
      for_seconds: 0,
      repeat_seconds: null,
      send_resolved: 1,
      enabled: 1,
      muted_until: null,
      created_at: 1,
      updated_at: 1,
    });
  }
  // The newest alerts are b's: a page filtered after its LIMIT would hold none of a's.
  for (let i = 0; i < 12; i++) {
    await repo.insert({
      id: `al_${String(i).padStart(2, '0')}`,
      rule_id: i < 6 ? 'ar_a' : 'ar_b',
      kind: 'job_outcome',
      subject: `p/s${i}`,
      state: 'firing',
      summary: '',
      detail: '',
      labels: '{}',
      link: null,
      started_at: 100 + i,
      fired_at: null,
      resolved_at: null,
      last_notified_at: null,
      notices: 0,
      muted_until: null,
    });
  }
  const page = await repo.page({ ruleIds: ['ar_a'], limit: 4 });
  assert.deepEqual(
    page.map((a) => a.id),
    ['al_05', 'al_04', 'al_03', 'al_02'],
  );
  assert.deepEqual(await repo.page({ ruleIds: [], limit: 4 }), []);
  assert.equal((await repo.page({ limit: 100 })).length, 12);
});
