/**
 * Crawl code can't read the daemons' credentials from its environment: a standalone master started with Scrapyd's
 * basic-auth password and Scrapyard secrets in its environment (which its embedded agent inherits), and a remote
 * agent with secrets in its own, run a spider that dumps its environment, and `scrapy list` (at deploy) dumps its
 * own: none of the secrets is there, while ordinary variables are.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAgent } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { startCluster } from '../helpers/cluster.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';

const AUTH = { username: 'envdump-user', password: 'scrapyd-pass-7f3a9c' };
const SECRETS: Record<string, string> = {
  SCRAPYD_PASSWORD: AUTH.password,
  SCRAPYARD_TEMPORARY_NODE_SECRET: 'temporary-secret-5b1e0d7c2a9f4e3b8d6a1c0f',
  SCRAPYARD_WEBHOOK_SECRET: 'webhook-secret-91c2',
  SCRAPYARD_API_TOKEN: 'api-token-3e8d',
  SCRAPYARD_DB_PASSWORD: 'db-password-6f0b',
};

/** The environment the envdump spider saw, from the job's items on the master. */
async function crawlEnvironment(
  api: ScrapydClient,
  jobid: string,
): Promise<{ text: string; env: Record<string, string> }> {
  const done = await waitFinished(api, jobid);
  assert.equal(done.outcome, 'succeeded');
  const r = await api.raw('GET', `/items/demo/envdump/${jobid}.jl`);
  assert.equal(r.status, 200, r.text);
  const first = JSON.parse(r.text.split('\n')[0]!) as { env: Record<string, string> };
  return { text: r.text, env: first.env };
}

function assertNoSecret(where: string, text: string, secrets: Record<string, string>): void {
  for (const [name, value] of Object.entries(secrets)) {
    assert.ok(!text.includes(value), `${where} must not hold ${name}`);
  }
}

void test('standalone: crawls and scrapy list run without the master’s credentials', async (t) => {
  const listDumps = tempDir(t);
  const master = await startMaster(t, {
    env: {
      SCRAPYD_USERNAME: AUTH.username,
      ...SECRETS,
      SCRAPYARD_TEMPORARY_NODES: 'on',
      ENVDUMP_LIST_DIR: listDumps,
      ENVDUMP_MARKER: 'visible',
    },
  });
  const api = new ScrapydClient(master.url, AUTH);
  await deploy(api);
  const dumps = readdirSync(listDumps).filter((f) => f.startsWith('list-'));
  assert.ok(dumps.length > 0, 'scrapy list imported the spider and dumped its environment');
  for (const f of dumps) {
    const text = readFileSync(join(listDumps, f), 'utf8');
    assert.equal((JSON.parse(text) as Record<string, string>).ENVDUMP_MARKER, 'visible');
    assertNoSecret(`scrapy list's environment (${f})`, text, { ...SECRETS, SCRAPYD_USERNAME: AUTH.username });
  }

  const { text, env } = await crawlEnvironment(api, await schedule(api, { project: 'demo', spider: 'envdump' }));
  assert.equal(env.ENVDUMP_MARKER, 'visible', 'ordinary variables reach the crawl');
  assert.equal(env.SCRAPY_PROJECT, 'demo');
  assertNoSecret("the crawl's environment", text, SECRETS);
  for (const name of [...Object.keys(SECRETS), 'SCRAPYD_USERNAME']) assert.equal(env[name], undefined, name);
});

void test('remote agent: crawls run without the agent’s credentials', async (t) => {
  const cluster = await startCluster(t);
  const agentSecrets = {
    SCRAPYARD_NODE_SECRET: 'node-secret-0d4f7e21',
    SCRAPYARD_MASTER_TOKEN: 'master-token-c3a1',
    SCRAPYD_PASSWORD: 'agent-side-scrapyd-pass',
  };
  await startAgent(t, { master: cluster.master, env: { ...agentSecrets, ENVDUMP_MARKER: 'visible' } });
  await deploy(cluster.api);
  const { text, env } = await crawlEnvironment(
    cluster.api,
    await schedule(cluster.api, { project: 'demo', spider: 'envdump' }),
  );
  assert.equal(env.ENVDUMP_MARKER, 'visible');
  assertNoSecret("the crawl's environment", text, agentSecrets);
});
