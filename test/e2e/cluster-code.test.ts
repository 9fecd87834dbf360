/**
 * Code distribution: a new version pre-warms (egg fetched, venv built) only on the agents its jobs can land on,
 * and an agent's cached egg is garbage-collected once no version uses it any more.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAgent } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { buildEgg } from '../helpers/eggs.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { waitFor } from '../helpers/wait.js';

const readyVenvs = (dataDir: string, project: string) => {
  const dir = join(dataDir, 'venvs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => d.startsWith(`${project}-`) && existsSync(join(dir, d, '.scrapyard-ready')));
};

void test('a new version pre-warms matching agents; unused eggs are collected', { timeout: 240_000 }, async (t) => {
  const { url, api, rest } = await startCluster(t);
  const config = { eggCacheMaxAgeDays: 0 };
  const [eu, us] = await Promise.all([
    startAgent(t, { master: { url }, nodeId: 'code-eu', tags: ['eu'], slots: 2, config }),
    startAgent(t, { master: { url }, nodeId: 'code-us', tags: ['us'], slots: 2, config }),
  ]);
  await rest.ok('PUT', '/api/v1/projects/demo/policy', { tags: ['eu'] });

  const digest = createHash('sha256')
    .update(await buildEgg('demo'))
    .digest('hex');
  const eggOn = (dataDir: string) => join(dataDir, 'eggs', `${digest}.egg`);
  await deploy(api);

  // Before any job: the eu agent has the egg and a ready venv for the project; the us agent (no match) has neither.
  await waitFor(() => existsSync(eggOn(eu.dataDir)) && readyVenvs(eu.dataDir, 'demo').length === 1, {
    timeoutMs: 60_000,
    what: 'pre-warm on the matching agent',
  });
  assert.match(eu.output(), /pre-warmed egg and venv/);
  assert.equal(existsSync(eggOn(us.dataDir)), false, 'no pre-warm on an agent the project cannot use');
  assert.deepEqual(readyVenvs(us.dataDir, 'demo'), []);

  // The warm agent runs the project's job.
  const jobId = await schedule(api, { project: 'demo', spider: 'quick' });
  const done = await waitFinished(api, jobId);
  assert.equal(done.outcome, 'succeeded');
  assert.equal((await rest.get(`/api/v1/jobs/${jobId}`)).nodeId, 'code-eu');

  // Deleting the project's last version makes its egg dead: the agent deletes its cached copy.
  await api.post('delproject.json', { project: 'demo' });
  await waitFor(() => !existsSync(eggOn(eu.dataDir)), { timeoutMs: 15_000, what: 'the dead egg to be collected' });
  assert.match(eu.output(), /removed cached eggs of deleted versions/);
});
