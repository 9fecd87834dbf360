/**
 * Item batches take `job.finished` themselves, durably: a run that ended while the master was down gets its final
 * pass at the next start, and a final pass that comes before the webhooks wrote the held finish waits for it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { waitFor } from '../../../../test/helpers/wait.js';
import { SecretBox } from '../auth/secret-box.js';
import { createConsumerMarks } from '../db/repos/consumer-marks.js';
import { createDeliveriesRepo } from '../db/repos/deliveries.js';
import { createJobHistoryRepo } from '../db/repos/job-history.js';
import { createJobsRepo } from '../db/repos/jobs.js';
import { insertFinishedJob } from '../db/repos/jobs.test-support.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { DomainEvents } from '../events/domain-events.js';
import { ItemBatches } from './item-batches.js';
import { FINISH_HOLD_MS } from './job-webhooks.js';
import { TargetCatalog } from './targets.js';
import { WebhookService } from './webhook-service.js';

const logger = pino({ level: 'silent' });

async function setup(t: TestContext, store: Store) {
  const db = await openTestDatabase(t, store);
  const repo = createDeliveriesRepo(db);
  const jobs = createJobsRepo(db);
  const marks = createConsumerMarks(db);
  const now = Date.now;
  const targets = new TargetCatalog(repo);
  const hooks = new WebhookService({ repo, targets, box: new SecretBox(Buffer.alloc(32, 3)), now, wake: () => {} });
  const hook = (await hooks.create({ url: 'https://hooks.example.com/i', project: 'p', items: true, itemsPerBatch: 2 }))
    .webhook;
  const itemsDir = mkdtempSync(join(tmpdir(), 'scrapyard-items-'));
  t.after(() => rmSync(itemsDir, { recursive: true, force: true }));
  mkdirSync(join(itemsDir, 'p', 's'), { recursive: true });
  writeFileSync(join(itemsDir, 'p', 's', 'j1.jl'), '{"n":0}\n{"n":1}\n{"n":2}\n');
  const events = new DomainEvents({ logger, now });
  const items = new ItemBatches({
    repo,
    jobs,
    targets,
    events,
    marks,
    history: createJobHistoryRepo(db),
    files: { logsDir: '', itemsDir },
    now,
    logger,
    wake: () => {},
  });
  t.after(() => items.stop());
  const runId = randomBytes(16).toString('hex');
  /** The held finish, as the webhooks write it from the job's `job.finished`. */
  const writeHeldFinish = () =>
    repo.enqueue([
      {
        id: `dl_${randomBytes(8).toString('hex')}`,
        kind: 'webhook',
        target_id: hook.id,
        dedup_key: `job.finished:${runId}`,
        event: 'job.finished',
        payload: '{}',
        next_at: now() + FINISH_HOLD_MS,
        created_at: now(),
      },
    ]);
  const keys = async () => (await repo.due(now() + 1_000, 100)).map((d) => d.dedup_key);
  return { repo, jobs, marks, events, items, runId, now, writeHeldFinish, keys };
}

testEachStore(
  'a run that ended while the master was down gets its final items at the next start',
  {},
  async (t, store) => {
    const s = await setup(t, store);
    await s.marks.set('webhook-items', s.now() - 1_000);
    // Down: the job ran and finished; its finish is held in the outbox, its items never cut.
    await insertFinishedJob(s.jobs, {
      runId: s.runId,
      jobId: 'j1',
      project: 'p',
      outcome: 'succeeded',
      endedAt: s.now(),
    });
    await s.writeHeldFinish();

    await s.items.start();
    const keys = await waitFor(async () => ((await s.keys()).length === 3 ? s.keys() : false), {
      what: 'the final items pass',
    });
    assert.deepEqual(keys, [`job.items:${s.runId}:0`, `job.items:${s.runId}:16`, `job.finished:${s.runId}`]);
  },
);

testEachStore('a final pass before the webhooks wrote the held finish waits for it', {}, async (t, store) => {
  const s = await setup(t, store);
  await s.items.start();
  const endedAt = s.now();
  s.events.publish({
    type: 'job.finished',
    job: { jobId: 'j1', runId: s.runId, project: 'p', spider: 's' },
    nodeId: 'n1',
    attempt: 1,
    outcome: 'succeeded',
    exitCode: 0,
    reason: null,
    startedAt: endedAt - 1_000,
    endedAt,
  });
  await waitFor(async () => (await s.keys()).length === 2, { what: 'the final items pass' });
  // Only now does the webhooks' write of the finish land (a slow database): the pass comes back to release it.
  await s.writeHeldFinish();
  const keys = await waitFor(async () => ((await s.keys()).length === 3 ? s.keys() : false), {
    what: 'the finish released',
  });
  assert.deepEqual(keys, [`job.items:${s.runId}:0`, `job.items:${s.runId}:16`, `job.finished:${s.runId}`]);
});
