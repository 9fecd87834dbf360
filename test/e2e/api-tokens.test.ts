/**
 * API tokens (docs/auth.md, "API tokens") against a master with basic auth on: an admin-created token deploys with
 * the real scrapyd-deploy as the basic-auth password of any username, works as a bearer on the Scrapyd and REST
 * APIs, is refused at the next request once revoked and once expired, and never appears in the master's log. The
 * CLI creates, lists and revokes; a metrics token reads /metrics and nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiToken, CreatedApiToken } from '@scrapyard/protocol';
import { z } from 'zod';
import { runCli } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { request, RestClient } from '../helpers/http.js';
import { startMaster } from '../helpers/processes.js';
import { scrapydDeploy } from '../helpers/scrapyd-deploy.js';
import { waitFor } from '../helpers/wait.js';

const ADMIN = { username: 'admin', password: 'the-admin-pass' };
const envOf = (a: { username: string; password: string }) => ({
  SCRAPYARD_USERNAME: a.username,
  SCRAPYARD_PASSWORD: a.password,
});

void test('a token deploys with scrapyd-deploy, reads and schedules; revoked or expired it is refused at once', async (t) => {
  // With its agent: addversion.json lists the spiders of the egg on one.
  const master = await startMaster(t, { env: envOf(ADMIN) });
  const admin = new RestClient(master.url, { auth: ADMIN });
  const create = async (body: Record<string, unknown>) =>
    CreatedApiToken.parse(await admin.ok('POST', '/api/v1/tokens', body));
  const ci = await create({ name: 'ci', role: 'maintainer', projects: ['demo'] });
  assert.match(ci.secret, /^sy_[0-9A-Za-z]{38}$/);

  const deployed = await scrapydDeploy(t, { url: master.url, username: 'ci-bot', password: ci.secret, version: 'v1' });
  assert.equal(deployed.code, 0, `${deployed.stdout}\n${deployed.stderr}`);
  assert.match(deployed.stdout, /"status": "ok"/);

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const asBasic = new ScrapydClient(master.url, { username: 'anything', password: ci.secret });
  const versions = await asBasic.get('listversions.json', { project: 'demo' });
  assert.deepEqual(versions.versions, ['v1']);
  const scheduled = await request(`${master.url}/schedule.json`, {
    method: 'POST',
    headers: { ...bearer(ci.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'project=demo&spider=quick',
  });
  assert.equal(scheduled.json.status, 'ok', scheduled.text);
  const jobs = await request(`${master.url}/api/v1/jobs?project=demo`, { headers: bearer(ci.secret) });
  assert.equal(jobs.status, 200, jobs.text);

  // Revoked: the very next request is refused, whatever the resolver had cached.
  await admin.ok('DELETE', `/api/v1/tokens/${ci.token.id}`);
  assert.equal((await request(`${master.url}/api/v1/jobs`, { headers: bearer(ci.secret) })).status, 401);
  assert.equal((await asBasic.raw('GET', '/listprojects.json')).status, 401);

  const short = await create({ name: 'short', role: 'viewer', expiresAt: Date.now() + 1_500 });
  await waitFor(() => Date.now() > short.token.expiresAt!, { what: 'the token to pass its expiry' });
  assert.equal((await request(`${master.url}/daemonstatus.json`, { headers: bearer(short.secret) })).status, 401);
  const listed = z.array(ApiToken).parse((await admin.get('/api/v1/tokens')).tokens);
  assert.deepEqual(
    listed.map((x) => [x.name, x.state]),
    [
      ['ci', 'revoked'],
      ['short', 'expired'],
    ],
  );

  // A metrics token: /metrics only.
  const prom = await create({ name: 'prometheus', role: 'metrics' });
  assert.equal((await request(`${master.url}/metrics`, { headers: bearer(prom.secret) })).status, 200);
  assert.equal((await request(`${master.url}/api/v1/jobs`, { headers: bearer(prom.secret) })).status, 403);

  await master.stop();
  for (const s of [ci.secret, short.secret, prom.secret]) {
    assert.ok(!master.output().includes(s.slice(3)), 'a token never appears in the log');
  }
});

void test('the CLI creates a token (printed once, --json), lists it by hint and revokes it by name', async (t) => {
  // No agent: nothing here runs a crawl (a job scheduled stays pending), and a master alone starts faster.
  const master = await startMaster(t, { args: ['--no-local-agent'], env: envOf(ADMIN) });
  // The master's config pair in the environment, as on the master host: the CLI proves admin with it.
  const cli = (...args: string[]) =>
    runCli('master', ['token', ...args, '--url', master.url, '--data-dir', master.dataDir], { env: envOf(ADMIN) });
  const created = await cli(
    'create',
    'deployer',
    '--role',
    'maintainer',
    '--project',
    'demo',
    '--expires',
    '30d',
    '--json',
  );
  assert.equal(created.code, 0, created.stderr);
  const { token, secret } = CreatedApiToken.parse(JSON.parse(created.stdout));
  assert.ok(Math.abs(token.expiresAt! - (Date.now() + 30 * 86_400_000)) < 120_000);
  assert.equal(token.ownerId, null, "the CLI proves admin: a service account's token");
  const human = await cli('create', 'other', '--role', 'viewer');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /\n {2}sy_[0-9A-Za-z]{38}\n/);

  const list = await cli('list');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`deployer +${secret.slice(0, 8)}… +maintainer +demo`));
  assert.ok(!list.stdout.includes(secret.slice(8)));

  const bad = await cli('create', 'x', '--role', 'boss');
  assert.deepEqual(
    [bad.code, bad.stderr.split('\n')[0]],
    [2, "scrapyard-master token: --role: unknown role 'boss' (admin, maintainer, operator, viewer, metrics)"],
  );
  const revoked = await cli('revoke', 'deployer');
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout.trim(), `revoked: ${token.id}`);
  assert.equal(
    (await request(`${master.url}/daemonstatus.json`, { headers: { authorization: `Bearer ${secret}` } })).status,
    401,
  );
});

void test('the metrics_token of the config is a listed token; revoked, it stays refused after a restart', async (t) => {
  const SCRAPE = 'config-scrape-token-0123456789';
  const env = { ...envOf(ADMIN), SCRAPYARD_METRICS_TOKEN: SCRAPE };
  const first = await startMaster(t, { args: ['--no-local-agent'], env });
  const scrape = (m: { url: string }) =>
    request(`${m.url}/metrics`, { headers: { authorization: `Bearer ${SCRAPE}` } });
  assert.equal((await scrape(first)).status, 200);
  const cli = (...args: string[]) =>
    runCli('master', ['token', ...args, '--url', first.url, '--data-dir', first.dataDir], { env: envOf(ADMIN) });
  const list = await cli('list');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /metrics_token \(config\) +\S+ +metrics +\*/);
  assert.ok(!list.stdout.includes(SCRAPE));
  const revoked = await cli('revoke', 'metrics_token (config)');
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal((await scrape(first)).status, 401, 'at the next request');
  await first.stop();

  const again = await startMaster(t, { dataDir: first.dataDir, args: ['--no-local-agent'], env });
  assert.equal((await scrape(again)).status, 401, 'the config does not bring a revoked token back');
  assert.match(again.output(), /metrics_token of the config was revoked/);
  assert.ok(!again.output().includes(SCRAPE), 'the token is never logged');
});
