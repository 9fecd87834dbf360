/**
 * venvMaxAgeDays: an agent deletes venvs that no run has used for that long, and sweeps once at start-up (not
 * only hourly), so a venv that aged while the agent was down goes at once; a recently used one stays.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAgent } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { buildEgg } from '../helpers/eggs.js';
import { ScrapydClient } from '../helpers/clients.js';
import { waitFor } from '../helpers/wait.js';

const DAY = 86_400_000;

void test('an agent restarted after a venv aged past venvMaxAgeDays deletes it at once, keeps the recent one', async (t) => {
  const { master, api } = await startCluster(t);
  const agent = await startAgent(t, { master, config: { venvMaxAgeDays: 1 } });
  // Two projects, two venvs: `scrapy list` at deploy builds each on the agent.
  const egg = await buildEgg('demo');
  for (const project of ['demo', 'other']) ScrapydClient.ok(await api.addVersion(project, '1', egg));
  const venvsDir = join(agent.dataDir, 'venvs');
  const venvOf = (project: string) => {
    const [dir] = readdirSync(venvsDir).filter((d) => d.startsWith(`${project}-`));
    assert.ok(dir, `a venv for ${project} in ${readdirSync(venvsDir).join(', ')}`);
    return join(venvsDir, dir);
  };
  const stale = venvOf('demo');
  const fresh = venvOf('other');
  await agent.stop();

  // Last used three days ago: its ready marker's mtime is its last use.
  const then = new Date(Date.now() - 3 * DAY);
  utimesSync(join(stale, '.scrapyard-ready'), then, then);
  await agent.restart({ waitConnected: false });
  await waitFor(() => /removed venvs unused for a long time/.test(agent.currentOutput()), {
    what: 'the agent to sweep its venvs at start-up',
    timeoutMs: 30_000,
  });
  assert.equal(existsSync(stale), false, 'the venv unused for 3 days is deleted');
  assert.equal(existsSync(join(fresh, '.scrapyard-ready')), true, 'the recently used venv is kept');
  assert.match(agent.currentOutput(), new RegExp(`"removed":\\["${stale.split('/').pop()}"\\]`));
});
