/**
 * The audit log against a real master with the config's basic-auth pair: a deploy, a schedule (with a spider
 * argument holding a secret), a cancel, a policy and a webhook change, a node cordon and a failed login each
 * leave an entry naming the actor (the built-in user, or the admin token) and the address; GET /api/v1/audit and
 * `scrapyard-master audit --json` show them, filtered, and no secret appears anywhere in the answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditPage, type AuditEntry } from '@scrapyard/protocol';
import { runCli } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { RestClient } from '../helpers/http.js';
import { deploy, schedule } from '../helpers/jobs.js';
import { adminTokenOf, startMaster } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const USER = 'auditor';
const PASSWORD = 'pa55-w0rd-not-in-the-log';
const ARG_SECRET = 'arg-secret-value-9f8e7d';

void test('every audited action is in the log with its actor and address, and no secret is', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYD_USERNAME: USER, SCRAPYD_PASSWORD: PASSWORD } });
  const token = adminTokenOf(master.dataDir)!;
  const api = new ScrapydClient(master.url, { username: USER, password: PASSWORD });
  const rest = new RestClient(master.url);

  await deploy(api);
  const job = await schedule(api, { project: 'demo', spider: 'slow', api_token: ARG_SECRET });
  ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job }));
  await rest.ok('PUT', '/api/v1/projects/demo/policy', { maxRunning: 2 });
  const hook = await rest.ok('POST', '/api/v1/webhooks', { url: 'https://example.com/hook?key=q', project: 'demo' });
  const signing = String(hook.secret);
  const nodeId = String(
    ((await rest.get('/api/v1/nodes')) as unknown as { nodes: { nodeId: string }[] }).nodes[0]!.nodeId,
  );
  await rest.ok('POST', `/api/v1/nodes/${nodeId}/cordon`);
  // A schedule with a secret argument, run by hand: the run is the admin's, its job the schedule's (the system's).
  const sched = await rest.ok('POST', '/api/v1/schedules', {
    project: 'demo',
    spider: 'quick',
    cron: null,
    intervalSeconds: 86_400,
    args: { api_token: ARG_SECRET },
  });
  await rest.ok('POST', `/api/v1/schedules/${String(sched.id)}/run`);
  const wrong = new ScrapydClient(master.url, { username: USER, password: 'not-the-password' });
  assert.equal((await wrong.raw('GET', '/daemonstatus.json')).status, 401);

  const wanted = [
    'version.deploy',
    'job.schedule',
    'job.cancel',
    'policy.create',
    'webhook.create',
    'node.cordon',
    'login.failed',
    'schedule.create',
    'schedule.run',
  ];
  // Entries are written in batches (at most a fraction of a second later).
  const page = await waitFor(
    async () => {
      const p = AuditPage.parse(await rest.get('/api/v1/audit'));
      return wanted.every((a) => p.entries.some((e) => e.action === a)) ? p : undefined;
    },
    { timeoutMs: 20_000, what: 'every action in the audit log' },
  );
  const one = (action: string) => page.entries.find((e) => e.action === action && e.summary.via !== 'schedule')!;
  const who = (e: AuditEntry) => [e.actor.kind, e.actor.name, e.address];
  const basic = ['scrapyd-user', USER, '127.0.0.1'];
  const admin = ['admin', null, '127.0.0.1'];
  assert.deepEqual(who(one('version.deploy')), basic);
  assert.deepEqual([one('version.deploy').project, one('version.deploy').target], ['demo', '1']);
  assert.deepEqual(who(one('job.schedule')), basic);
  assert.deepEqual([one('job.schedule').target, one('job.schedule').summary.args], [job, ['api_token']]);
  assert.deepEqual(who(one('job.cancel')), basic);
  assert.deepEqual(who(one('policy.create')), admin);
  assert.deepEqual(one('policy.create').summary, { spider: null, policy: { maxRunning: 2 } });
  assert.deepEqual(who(one('webhook.create')), admin);
  assert.equal(one('webhook.create').summary.destination, 'https://example.com');
  assert.deepEqual([...who(one('node.cordon')), one('node.cordon').target], [...admin, nodeId]);
  assert.deepEqual([...who(one('login.failed')), one('login.failed').target], ['anonymous', null, '127.0.0.1', USER]);
  assert.deepEqual([...who(one('schedule.create')), one('schedule.create').summary.args], [...admin, ['api_token']]);
  assert.deepEqual([...who(one('schedule.run')), one('schedule.run').target], [...admin, sched.id]);
  const byFire = await waitFor(
    async () =>
      AuditPage.parse(await rest.get('/api/v1/audit?action=job.schedule')).entries.find(
        (e) => e.summary.schedule === sched.id,
      ),
    { timeoutMs: 20_000, what: "the schedule's job in the audit log" },
  );
  assert.deepEqual([...who(byFire), byFire.summary.via], ['system', null, null, 'schedule']);

  // Filters and the CLI, which reads the same API with the data dir's admin token.
  const cli = (...args: string[]) =>
    runCli('master', ['audit', ...args, '--url', master.url, '--data-dir', master.dataDir]);
  const json = await cli('--json', '--actor', USER, '--since', '1h');
  assert.equal(json.code, 0, json.all);
  const mine = AuditPage.parse(JSON.parse(json.stdout));
  assert.deepEqual(
    new Set(mine.entries.map((e) => e.action)),
    new Set(['version.deploy', 'job.schedule', 'job.cancel']),
  );
  const nodes = AuditPage.parse(JSON.parse((await cli('--json', '--action', 'node.')).stdout));
  assert.deepEqual(
    nodes.entries.map((e) => e.action),
    ['node.cordon'],
  );
  const human = await cli('--project', 'demo', '--limit', '2');
  assert.equal(human.code, 0, human.all);
  assert.match(human.stdout, /^TIME +ACTOR +ADDRESS +ACTION +PROJECT +TARGET +SUMMARY$/m);
  assert.match(human.stdout, /\(older entries: add --before \d+\)/);

  const everything = [JSON.stringify(page), json.stdout, human.stdout].join('\n');
  for (const secret of [PASSWORD, token, signing, ARG_SECRET, 'key=q']) {
    assert.ok(!everything.includes(secret), `a secret in the audit log: ${secret.slice(0, 8)}…`);
  }
  // Admin only: the basic pair is the built-in admin; strangers are refused.
  assert.equal((await new RestClient(master.url, { adminToken: null }).call('GET', '/api/v1/audit')).status, 401);
});
