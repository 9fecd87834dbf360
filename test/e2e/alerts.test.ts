/**
 * Alerts against a real master, real crawls and real agents, notified by email to an SMTP server the test starts
 * and to Telegram and Slack stand-ins: a failing crawl fires, repeats, is muted and resolves when the spider is
 * fixed; a crawl with too few items against its baseline; a node that goes offline and comes back; node resource
 * thresholds and the firing gauge of /metrics; bad rules refused with a clear 4xx and nothing stored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { ScrapydClient } from '../helpers/clients.js';
import { startAgent } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { startReceiver, type Receiver } from '../helpers/receivers.js';
import { startSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

interface Alert {
  id: string;
  ruleId: string;
  kind: string;
  subject: string;
  state: string;
  summary: string;
  notices: number;
  link: string | null;
  labels: Record<string, string>;
}

const PUBLIC_URL = 'https://scrapyard.test';
const FAST = { SCRAPYARD_ALERT_CHECK_SECONDS: '1', SCRAPYARD_PUBLIC_URL: PUBLIC_URL };

const telegramTexts = (r: Receiver) => r.received.map((m) => (JSON.parse(m.body) as { text: string }).text);
const slackTexts = (r: Receiver) => r.received.map((m) => (JSON.parse(m.body) as { text: string }).text);

async function channel(rest: RestClient, body: object): Promise<string> {
  return ((await rest.ok('POST', '/api/v1/channels', body)).channel as { id: string }).id;
}

async function alerts(rest: RestClient, query = ''): Promise<Alert[]> {
  return (await rest.get(`/api/v1/alerts${query}`)).alerts as Alert[];
}

void test('a failing crawl: email and Telegram fire, repeat, stay quiet while muted, and resolve when it is fixed', async (t) => {
  const smtp = await startSmtp(t);
  const telegram = await startReceiver(t, () => ({ status: 200, body: '{"ok":true,"result":{"message_id":1}}' }));
  const master = await startMaster(t, { env: FAST });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  const mail = await channel(rest, {
    name: 'ops mail',
    kind: 'email',
    config: { host: '127.0.0.1', port: smtp.port, from: 'scrapyard@localhost', to: ['ops@localhost'] },
  });
  const tg = await channel(rest, {
    name: 'ops telegram',
    kind: 'telegram',
    config: { chatId: '-100123', apiBaseUrl: telegram.url },
    secret: { botToken: '123456:ABC-def' },
  });

  // Bad rules: a clear 4xx, nothing stored.
  const refused = async (body: unknown, status: number, code: string, msg: RegExp) => {
    const r = await rest.call('POST', '/api/v1/alert-rules', body);
    assert.equal(r.status, status, r.text);
    const err = r.json.error as { code: string; message: string };
    assert.equal(err.code, code);
    assert.match(err.message, msg);
  };
  const outcome = { kind: 'job_outcome', project: 'demo', spider: 'quick', outcomes: ['failed'] };
  await refused({ name: 'x', condition: outcome, channels: ['ch_missing'] }, 400, 'UNKNOWN_CHANNEL', /ch_missing/);
  await refused(
    { name: 'x', condition: { kind: 'node_resource', resource: 'cpu', abovePercent: 150 } },
    400,
    'BAD_REQUEST',
    /abovePercent/,
  );
  await refused({ name: 'x', condition: { kind: 'job_items', project: 'demo' } }, 400, 'BAD_REQUEST', /minItems/);
  await refused({ name: 'x', condition: { kind: 'job_outcome', outcomes: [] } }, 400, 'BAD_REQUEST', /outcomes/);
  await refused({ name: 'x', condition: { kind: 'disk_on_fire' } }, 400, 'BAD_REQUEST', /kind/);
  await refused({ name: 'x', condition: outcome, repeatSeconds: 0 }, 400, 'BAD_REQUEST', /repeatSeconds/);
  await refused(
    { name: 'x', condition: { ...outcome, project: undefined } },
    400,
    'BAD_REQUEST',
    /spider needs its project/,
  );
  assert.deepEqual((await rest.get('/api/v1/alert-rules')).rules, []);
  assert.equal((await rest.call('PATCH', '/api/v1/alert-rules/ar_missing', { name: 'y' })).status, 404);

  const created = await rest.ok('POST', '/api/v1/alert-rules', {
    name: 'quick broke',
    condition: outcome,
    channels: [mail, tg],
    repeatSeconds: 2,
  });
  const rule = created.rule as { id: string; forSeconds: number; sendResolved: boolean };
  assert.equal(rule.forSeconds, 0);
  assert.equal(rule.sendResolved, true);
  const patched = await rest.call('PATCH', `/api/v1/alert-rules/${rule.id}`, { channels: [mail, 'ch_gone'] });
  assert.equal(patched.status, 400);
  assert.deepEqual(((await rest.get(`/api/v1/alert-rules/${rule.id}`)).rule as { channels: string[] }).channels, [
    mail,
    tg,
  ]);

  // A succeeded run of a spider with no alert changes nothing.
  const ok0 = await schedule(api, { project: 'demo', spider: 'quick' });
  assert.equal((await waitFinished(api, ok0)).outcome, 'succeeded');

  // It breaks: the first notice, by email and Telegram, names the rule, the job, the node and links to the job.
  const broken = await schedule(api, { project: 'demo', spider: 'quick', setting: 'DEMO_CRASH=1' });
  assert.equal((await waitFinished(api, broken)).outcome, 'failed');
  await waitFor(() => smtp.mails.length >= 1 && telegram.received.length >= 1, { what: 'the first notices' });
  const first = smtp.mails[0]!;
  assert.match(first.subject, /^\[FIRING\] quick broke: crawl failed: demo\/quick \(job [0-9a-f]+\)/);
  assert.ok(first.subject.includes(broken), first.subject);
  assert.ok(first.text.includes(`${PUBLIC_URL}/api/v1/jobs/${broken}`), first.text);
  assert.match(first.text, /^Node: \S+/m);
  assert.match(first.text, /DEMO_CRASH set/);
  assert.match(telegramTexts(telegram)[0]!, /^\[FIRING\] quick broke: crawl failed: demo\/quick/);
  assert.equal(telegram.received[0]!.path, '/bot123456:ABC-def/sendMessage');
  const [firing] = await alerts(rest, '?state=firing');
  assert.ok(firing);
  assert.equal(firing.subject, 'demo/quick');
  assert.equal(firing.labels.job_id, broken);

  // While it holds it repeats (every 2 s) …
  await waitFor(() => smtp.mails.some((m) => /^\[FIRING, repeat 1\]/.test(m.subject)), { what: 'a repeat' });
  // … until muted: nothing is sent for the mute's period.
  await rest.ok('POST', `/api/v1/alerts/${firing.id}/mute`, { seconds: 600 });
  const mailsAtMute = smtp.mails.length;
  await new Promise((r) => setTimeout(r, 5_000));
  assert.ok(smtp.mails.length <= mailsAtMute + 1, 'at most a repeat already in the outbox'); // enqueued before the mute
  const quiet = smtp.mails.length;
  await new Promise((r) => setTimeout(r, 3_000));
  assert.equal(smtp.mails.length, quiet, 'no notice while muted');
  await rest.ok('POST', `/api/v1/alerts/${firing.id}/unmute`);
  await waitFor(() => smtp.mails.length > quiet, { what: 'the repeat owed once unmuted' });
  // A repeat keeps the rule quiet for its interval: lengthen it so the resolve below is the next message.
  await rest.ok('PATCH', `/api/v1/alert-rules/${rule.id}`, { repeatSeconds: 3_600 });

  // Fixed: the next run succeeds, and the resolved message names it.
  const mailsBefore = smtp.mails.length;
  const fixed = await schedule(api, { project: 'demo', spider: 'quick' });
  assert.equal((await waitFinished(api, fixed)).outcome, 'succeeded');
  await waitFor(() => smtp.mails.slice(mailsBefore).some((m) => m.subject.startsWith('[RESOLVED]')), {
    what: 'the resolved mail',
  });
  const resolved = smtp.mails.slice(mailsBefore).find((m) => m.subject.startsWith('[RESOLVED]'))!;
  assert.match(resolved.subject, /^\[RESOLVED\] quick broke: crawl succeeded: demo\/quick/);
  assert.ok(resolved.subject.includes(fixed), resolved.subject);
  await waitFor(() => telegramTexts(telegram).some((x) => x.startsWith('[RESOLVED] quick broke')), {
    what: 'the resolved Telegram message',
  });
  const done = (await rest.get(`/api/v1/alerts/${firing.id}`)).alert as Alert & { resolvedAt: number | null };
  assert.equal(done.state, 'resolved');
  assert.ok(done.resolvedAt !== null);
  assert.ok(done.notices >= 3, `notices: ${done.notices}`);
  assert.deepEqual(await alerts(rest, '?state=active'), []);

  // Every notice went through the outbox and its log.
  const log = (await rest.get(`/api/v1/channels/${mail}/deliveries`)).deliveries as { event: string; state: string }[];
  assert.ok(log.some((d) => d.event === 'alert.resolved' && d.state === 'delivered'));
  assert.ok(log.some((d) => d.event === 'alert.firing' && d.state === 'delivered'));

  // Deleting the rule deletes its alerts.
  assert.equal((await rest.call('DELETE', `/api/v1/alert-rules/${rule.id}`)).status, 204);
  assert.deepEqual(await alerts(rest), []);
});

void test('a crawl with too few items against its baseline fires, a muted rule stays quiet, a good run resolves', async (t) => {
  const slack = await startReceiver(t);
  const master = await startMaster(t, { env: FAST });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  const sl = await channel(rest, { name: 'slack', kind: 'slack', secret: { webhookUrl: `${slack.url}/services/X` } });
  const { rule } = (await rest.ok('POST', '/api/v1/alert-rules', {
    name: 'items dropped',
    condition: { kind: 'job_items', project: 'demo', spider: 'quick', minPercentOfMedian: 50, baselineRuns: 3 },
    channels: [sl],
    repeatSeconds: null,
  })) as { rule: { id: string } };

  const run = async (items: number) => {
    const id = await schedule(api, { project: 'demo', spider: 'quick', setting: `DEMO_ITEMS=${items}` });
    assert.equal((await waitFinished(api, id)).outcome, 'succeeded');
    return id;
  };
  // The baseline: three runs of 4 items (the first has no baseline to judge against).
  for (let i = 0; i < 3; i++) await run(4);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(slack.received.length, 0, slackTexts(slack).join('\n'));
  assert.deepEqual(await alerts(rest), []);

  // One item, under 50 % of the median (4): it fires.
  const low = await run(1);
  await waitFor(() => slack.received.length === 1, { what: 'the items alert' });
  const text = slackTexts(slack)[0]!;
  assert.match(text, /\[FIRING\] items dropped: too few items \(1\): demo\/quick/);
  assert.ok(text.includes(low), text);
  assert.match(text, /median 4 of the last 3 runs/);

  // Muted rule: the next low run changes nothing that is sent, and the good run's resolve is not sent either.
  await rest.ok('POST', `/api/v1/alert-rules/${rule.id}/mute`, { seconds: 600 });
  await run(0);
  const [held] = await alerts(rest, '?state=firing');
  assert.ok(held);
  assert.match(held.summary, /too few items \(0\)/);
  await rest.ok('POST', `/api/v1/alert-rules/${rule.id}/unmute`);
  await run(4);
  await waitFor(() => slackTexts(slack).some((x) => x.includes('[RESOLVED] items dropped')), {
    what: 'the resolved message',
  });
  assert.equal(slack.received.length, 2, slackTexts(slack).join('\n'));
  assert.equal((await alerts(rest, '?state=resolved')).length, 1);
});

void test('a node that goes offline fires and resolves when it is back; resource thresholds and the firing gauge', async (t) => {
  const smtp = await startSmtp(t);
  const c = await startCluster(t, { env: { ...FAST, SCRAPYARD_ALERT_STARTUP_GRACE_SECONDS: '0' } });
  const rest = c.rest;
  const mail = await channel(rest, {
    name: 'ops mail',
    kind: 'email',
    config: { host: '127.0.0.1', port: smtp.port, from: 'scrapyard@localhost', to: ['ops@localhost'] },
  });
  const agent = await startAgent(t, { master: c.master, nodeId: 'crawler-1' });
  await rest.ok('POST', '/api/v1/alert-rules', {
    name: 'node down',
    condition: { kind: 'node_offline' },
    channels: [mail],
    forSeconds: 1,
  });
  // Memory above 0 % holds on any node that reports: recorded and counted, no channel.
  await rest.ok('POST', '/api/v1/alert-rules', {
    name: 'memory',
    condition: { kind: 'node_resource', node: 'crawler-1', resource: 'memory', abovePercent: 0 },
  });
  const memory = await waitFor(
    async () => (await alerts(rest, '?state=firing')).find((a) => a.kind === 'node_resource'),
    { what: 'the memory alert' },
  );
  assert.equal(memory.subject, 'crawler-1');
  const metrics = await rest.call('GET', '/metrics');
  assert.match(metrics.text, /^scrapyard_alerts_firing\{rule_kind="node_resource"\} 1$/m);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(smtp.mails.length, 0, 'an online node is not offline');

  await agent.kill9();
  await waitFor(() => smtp.mails.length === 1, { what: 'the offline mail', timeoutMs: 30_000 });
  assert.match(smtp.mails[0]!.subject, /^\[FIRING\] node down: node crawler-1 offline/);
  assert.ok(smtp.mails[0]!.text.includes(`${PUBLIC_URL}/api/v1/nodes/crawler-1`), smtp.mails[0]!.text);
  // Offline, its resource is unknown: that alert resolves (silently: it has no channel).
  await waitFor(async () => (await alerts(rest, '?state=firing')).every((a) => a.kind !== 'node_resource'), {
    what: 'the memory alert to resolve',
  });

  await agent.restart();
  await waitFor(() => smtp.mails.length === 2, { what: 'the back-online mail', timeoutMs: 30_000 });
  assert.match(smtp.mails[1]!.subject, /^\[RESOLVED\] node down: node crawler-1 online/);
  const offline = (await alerts(rest)).find((a) => a.kind === 'node_offline')!;
  assert.equal(offline.state, 'resolved');
});

void test('a schedule fire skipped by its overlap policy fires a signed webhook notice; an on-time fire resolves it', async (t) => {
  const hook = await startReceiver(t);
  const master = await startMaster(t, { env: FAST });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  const created = (await rest.ok('POST', '/api/v1/channels', {
    name: 'hook',
    kind: 'webhook',
    config: { url: `${hook.url}/alerts` },
  })) as { channel: { id: string }; secret: { signingSecret: string } };
  await rest.ok('POST', '/api/v1/alert-rules', {
    name: 'schedule trouble',
    condition: { kind: 'schedule_fire', on: ['skipped', 'failed'] },
    channels: [created.channel.id],
  });
  // Every 2 s, a crawl of 5 s, overlap forbidden: fires are skipped while it runs, then one runs on time.
  const s = (await rest.ok('POST', '/api/v1/schedules', {
    project: 'demo',
    spider: 'slow',
    intervalSeconds: 2,
    args: { seconds: '5' },
  })) as { id: string };
  const verify = (i: number) => {
    const r = hook.received[i]!;
    return new StandardWebhook(created.secret.signingSecret).verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    }) as { type: string; data: { title: string; subject: string; labels: Record<string, string> } };
  };
  await waitFor(() => hook.received.length >= 1, { what: 'the skipped-fire notice', timeoutMs: 30_000 });
  const firing = verify(0);
  assert.equal(firing.type, 'alert.firing');
  assert.equal(firing.data.subject, s.id);
  assert.match(firing.data.title, new RegExp(`^\\[FIRING\\] schedule trouble: schedule ${s.id} fire skipped`));
  assert.equal(firing.data.labels.status, 'skipped');
  await waitFor(() => hook.received.length >= 2, { what: 'the resolved notice', timeoutMs: 30_000 });
  const resolved = verify(1);
  assert.equal(resolved.type, 'alert.resolved');
  assert.match(resolved.data.title, /fired on time/);
  await rest.ok('PATCH', `/api/v1/schedules/${s.id}`, { enabled: false });
});

void test('alerts survive a kill -9 of the master: nothing is sent twice, and a fix after the restart resolves', async (t) => {
  const smtp = await startSmtp(t);
  const dataDir = tempDir(t);
  let master = await startMaster(t, { env: FAST, dataDir });
  let api = new ScrapydClient(master.url);
  let rest = new RestClient(master.url);
  await deploy(api, 'demo', '1.0');
  const mail = await channel(rest, {
    name: 'ops mail',
    kind: 'email',
    config: { host: '127.0.0.1', port: smtp.port, from: 'scrapyard@localhost', to: ['ops@localhost'] },
  });
  await rest.ok('POST', '/api/v1/alert-rules', {
    name: 'quick broke',
    condition: { kind: 'job_outcome', outcomes: ['failed'] },
    channels: [mail],
    repeatSeconds: null,
  });
  const broken = await schedule(api, { project: 'demo', spider: 'quick', setting: 'DEMO_CRASH=1' });
  assert.equal((await waitFinished(api, broken)).outcome, 'failed');
  await waitFor(() => smtp.mails.length === 1, { what: 'the firing mail' });

  await master.kill9();
  master = await startMaster(t, { env: FAST, dataDir });
  api = new ScrapydClient(master.url);
  rest = new RestClient(master.url);
  await new Promise((r) => setTimeout(r, 3_000));
  assert.equal(smtp.mails.length, 1, 'the restarted master sends nothing again');
  const [still] = await alerts(rest, '?state=firing');
  assert.ok(still);
  const metrics = await rest.call('GET', '/metrics');
  assert.match(metrics.text, /^scrapyard_alerts_firing\{rule_kind="job_outcome"\} 1$/m, 'seeded from the store');

  const fixed = await schedule(api, { project: 'demo', spider: 'quick' });
  assert.equal((await waitFinished(api, fixed)).outcome, 'succeeded');
  await waitFor(() => smtp.mails.length === 2, { what: 'the resolved mail' });
  assert.match(smtp.mails[1]!.subject, /^\[RESOLVED\] quick broke: crawl succeeded: demo\/quick/);
});
