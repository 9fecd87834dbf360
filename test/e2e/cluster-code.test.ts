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
  const [eu, eu2, us] = await Promise.all([
    startAgent(t, { master: { url }, nodeId: 'code-eu', tags: ['eu'], slots: 2, config }),
    startAgent(t, { master: { url }, nodeId: 'code-eu2', tags: ['eu'], slots: 2, config }),
    startAgent(t, { master: { url }, nodeId: 'code-us', tags: ['us'], slots: 2, config }),
  ]);
  // Before the first deploy (its `scrapy list` goes to an eu agent too).
  await rest.ok('PUT', '/api/v1/projects/demo/policy?allow_unknown_project=1', { tags: ['eu'] });

  const digest = createHash('sha256')
    .update(await buildEgg('demo'))
    .digest('hex');
  const eggOn = (dataDir: string) => join(dataDir, 'eggs', `${digest}.egg`);
  await deploy(api);

  // Before any job: both eu agents have the egg and a ready venv for the project (one of them also ran
  // `scrapy list` for the upload; the other got them by pre-warm only); the us agent (no match) has neither.
  for (const a of [eu, eu2]) {
    await waitFor(
      () =>
        existsSync(eggOn(a.dataDir)) &&
        readyVenvs(a.dataDir, 'demo').length === 1 &&
        /pre-warmed egg and venv/.test(a.output()),
      { timeoutMs: 60_000, what: `pre-warm on ${a.nodeId}` },
    );
  }
  assert.equal(existsSync(eggOn(us.dataDir)), false, 'no pre-warm on an agent the project cannot use');
  assert.deepEqual(readyVenvs(us.dataDir, 'demo'), []);

  // The warm agent runs the project's job.
  const jobId = await schedule(api, { project: 'demo', spider: 'quick' });
  const done = await waitFinished(api, jobId);
  assert.equal(done.outcome, 'succeeded');
  assert.match(String((await rest.get(`/api/v1/jobs/${jobId}`)).nodeId), /^code-eu2?$/);

  // Deleting the project's last version makes its egg dead: the agent deletes its cached copy.
  await api.post('delproject.json', { project: 'demo' });
  for (const a of [eu, eu2]) {
    await waitFor(() => !existsSync(eggOn(a.dataDir)) && /removed cached eggs of deleted versions/.test(a.output()), {
      timeoutMs: 15_000,
      what: `the dead egg to leave ${a.nodeId}`,
    });
  }
});
