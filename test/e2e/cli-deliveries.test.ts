/**
 * `scrapyard-master webhook …` and `scrapyard-master channel …` against a real master: a webhook created, listed
 * and shown (its secret printed once, never again), tested, its signed delivery verified at a receiver and shown
 * delivered in the log, updated (rotated secret, disabled), created from --json-body and deleted; a Slack channel
 * created from --webhook-url-file and tested, a webhook channel's generated secret printed once, an email channel
 * updated in part. Bad input (a non-http URL, an unknown kind, a secret given on the command line) exits non-zero
 * with a clear message and stores nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { runCli } from '../helpers/agents.js';
import { RestClient } from '../helpers/http.js';
import { startMaster, tempDir, type MasterProcess } from '../helpers/processes.js';
import { startReceiver, type Received } from '../helpers/receivers.js';
import { waitFor } from '../helpers/wait.js';

interface Delivery {
  id: string;
  event: string;
  state: string;
  attempts: number;
  lastStatus: number | null;
}

/** The command against `master`, proving admin with its data dir's token as on the master host. */
const cliOf =
  (master: MasterProcess, noun: 'webhook' | 'channel', env?: Record<string, string>) =>
  (...args: string[]) =>
    runCli('master', [noun, ...args, '--master-url', master.url, '--data-dir', master.dataDir], { env });

/** Asserts a failure: exit 1 and the message on stderr. */
function failed(r: { code: number | null; stderr: string; all: string }, msg: RegExp): void {
  assert.equal(r.code, 1, r.all);
  assert.match(r.stderr, msg);
}

/** Asserts a usage error: exit 2 and the message on stderr. */
function refused(r: { code: number | null; stderr: string; all: string }, msg: RegExp): void {
  assert.equal(r.code, 2, r.all);
  assert.match(r.stderr, msg);
}

function verify(secret: string, r: Received): { type: string; data: Record<string, unknown> } {
  return new StandardWebhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as { type: string; data: Record<string, unknown> };
}

/** Waits for the delivery log (read with the CLI's --json) to show `id` delivered. */
async function waitDelivered(cli: (...a: string[]) => ReturnType<typeof runCli>, target: string, id: string) {
  return waitFor(
    async () => {
      const r = await cli('deliveries', target, '--json');
      assert.equal(r.code, 0, r.all);
      const d = (JSON.parse(r.stdout) as { deliveries: Delivery[] }).deliveries.find((x) => x.id === id);
      return d?.state === 'delivered' && d;
    },
    { what: `delivery ${id} delivered` },
  );
}

void test('webhooks through the CLI: secret shown once, a signed test delivery, the log; bad input refused', async (t) => {
  const receiver = await startReceiver(t);
  const master = await startMaster(t, { args: ['--no-local-agent'] });
  const rest = new RestClient(master.url);
  const dir = tempDir(t);
  const cli = cliOf(master, 'webhook');

  const help = await runCli('master', ['webhook', '--help']);
  assert.equal(help.code, 0, help.all);
  assert.match(help.stdout, /Usage: scrapyard-master webhook <command>/);
  assert.match(help.stdout, /--master-url URL/);
  const bare = await runCli('master', ['webhook']);
  assert.deepEqual([bare.code, /Usage: scrapyard-master webhook/.test(bare.stdout)], [2, true]);

  // Bad input: non-zero, a clear message, nothing stored.
  failed(await cli('create', '--url', 'ftp://127.0.0.1/x'), /BAD_REQUEST: body\.url: must be an absolute http/);
  refused(
    await cli('create', '--url', receiver.url, '--secret', `whsec_${randomBytes(24).toString('base64')}`),
    /not taken on the command line.*--secret-file FILE or --secret-env VAR/,
  );
  failed(await cli('create', '--url', receiver.url, '--spider', 'quick'), /spider needs its project/);
  refused(await cli('create', '--url', receiver.url, '--rate', 'fast'), /--rate: not a number/);
  refused(await cli('create', '--name', 'no url'), /create needs --url/);
  refused(await cli('list', '--url', receiver.url), /list takes no --url \(the master's URL is --master-url\)/);
  refused(await cli('explode'), /unknown webhook command "explode"/);
  failed(await cli('show', 'wh_nothing'), /NOT_FOUND: no webhook wh_nothing/);
  assert.deepEqual((await rest.get('/api/v1/webhooks')).webhooks, []);

  // Create: the generated secret is printed once.
  const created = await cli(
    'create',
    '--name',
    'ci',
    '--url',
    `${receiver.url}/hook`,
    '--project',
    'demo',
    '--event',
    'job.finished',
    '--event',
    'job.failed',
    '--rate',
    '50',
  );
  assert.equal(created.code, 0, created.all);
  const id = /^created: (wh_[0-9a-f]+) → /m.exec(created.stdout)?.[1];
  const secret = /^signing secret: (whsec_\S+)$/m.exec(created.stdout)?.[1];
  assert.ok(id && secret, created.stdout);
  assert.match(created.stdout, /will not be shown again/);

  // List and show: the settings, never the secret.
  const list = await cli('list');
  assert.equal(list.code, 0, list.all);
  assert.match(list.stdout, /^ID\s+NAME\s+URL\s+PROJECT\/SPIDER\s+EVENTS/);
  assert.match(
    list.stdout,
    new RegExp(`${id}\\s+ci\\s+${receiver.url}/hook\\s+demo/\\*\\s+job\\.finished,job\\.failed`),
  );
  const show = await cli('show', id);
  assert.equal(show.code, 0, show.all);
  assert.match(show.stdout, /^events\s+job\.finished, job\.failed$/m);
  assert.match(show.stdout, /^state\s+enabled$/m);
  const shownJson = await cli('show', id, '--json');
  const shown = JSON.parse(shownJson.stdout) as { webhook: { id: string; ratePerSecond: number } };
  assert.deepEqual([shown.webhook.id, shown.webhook.ratePerSecond], [id, 50]);
  for (const out of [list.stdout, show.stdout, shownJson.stdout, (await cli('list', '--json')).stdout]) {
    assert.ok(!out.includes('whsec_'), out);
  }

  // Test: a signed webhook.test reaches the receiver, and the log shows it delivered.
  const tested = await cli('test', id);
  assert.equal(tested.code, 0, tested.all);
  const deliveryId = /test delivery queued: (\S+)/.exec(tested.stdout)?.[1];
  assert.ok(deliveryId, tested.stdout);
  await waitFor(() => receiver.received.length === 1, { what: 'the test delivery' });
  const got = receiver.received[0]!;
  assert.equal(got.path, '/hook');
  assert.equal(got.headers['webhook-id'], deliveryId);
  const envelope = verify(secret, got);
  assert.equal(envelope.type, 'webhook.test');
  assert.equal(envelope.data.webhookId, id);
  await waitDelivered(cli, id, deliveryId);
  const log = await cli('deliveries', id, '--state', 'delivered');
  assert.equal(log.code, 0, log.all);
  assert.match(log.stdout, new RegExp(`^${deliveryId}\\s+webhook\\.test\\s+delivered\\s+1\\s+200\\s`, 'm'));
  failed(await cli('deliveries', id, '--state', 'lost'), /BAD_REQUEST: query\.state/);

  // Update: a rotated secret is printed once and signs what follows; '' clears the project; --disable.
  const rotated = await cli('update', id, '--rotate-secret', '--project', '', '--event', 'job.started,job.retried');
  assert.equal(rotated.code, 0, rotated.all);
  const secret2 = /^signing secret: (whsec_\S+)$/m.exec(rotated.stdout)?.[1];
  assert.ok(secret2 && secret2 !== secret, rotated.stdout);
  const test2 = /test delivery queued: (\S+)/.exec((await cli('test', id)).stdout)?.[1];
  await waitFor(() => receiver.received.length === 2, { what: 'the second test delivery' });
  assert.equal(verify(secret2, receiver.received[1]!).type, 'webhook.test');
  await waitDelivered(cli, id, test2!);
  const disabled = await cli('update', id, '--disable', '--json');
  assert.equal(disabled.code, 0, disabled.all);
  const w = (JSON.parse(disabled.stdout) as { webhook: Record<string, unknown> }).webhook;
  assert.deepEqual([w.enabled, w.project, w.events], [false, null, ['job.started', 'job.retried']]);
  refused(await cli('update', id), /nothing to update/);
  refused(await cli('update', id, '--enable', '--disable'), /--enable and --disable contradict/);
  failed(await cli('update', id, '--url', 'javascript:alert(1)'), /BAD_REQUEST: body\.url/);

  // Your own secret from a file; a raw --json-body.
  const own = `whsec_${randomBytes(24).toString('base64')}`;
  writeFileSync(join(dir, 'secret'), `${own}\n`, { mode: 0o600 });
  const mine = await cli('create', '--url', `${receiver.url}/mine`, '--secret-file', join(dir, 'secret'));
  assert.equal(mine.code, 0, mine.all);
  assert.ok(!mine.stdout.includes('whsec_'), 'a secret of your own is not echoed');
  const mineId = /^created: (wh_[0-9a-f]+)/m.exec(mine.stdout)![1]!;
  await cli('test', mineId);
  await waitFor(() => receiver.received.some((r) => r.path === '/mine'), { what: 'the own-secret delivery' });
  assert.equal(
    verify(
      own,
      receiver.received.find((r) => r.path === '/mine')!,
    ).type,
    'webhook.test',
  );
  // A new URL needs the signing secret again (or --rotate-secret).
  failed(await cli('update', mineId, '--url', `${receiver.url}/moved`), /SECRET_REQUIRED: body\.url/);
  const moved = await cli('update', mineId, '--url', `${receiver.url}/moved`, '--secret-file', join(dir, 'secret'));
  assert.equal(moved.code, 0, moved.all);

  writeFileSync(join(dir, 'body.json'), JSON.stringify({ url: `${receiver.url}/raw`, events: ['job.started'] }));
  const raw = await cli('create', '--json-body', join(dir, 'body.json'), '--json');
  assert.equal(raw.code, 0, raw.all);
  const rawAnswer = JSON.parse(raw.stdout) as { webhook: { id: string; events: string[] }; secret: string };
  assert.deepEqual(rawAnswer.webhook.events, ['job.started']);
  assert.match(rawAnswer.secret, /^whsec_/);
  refused(await cli('create', '--json-body', join(dir, 'body.json'), '--name', 'x'), /--json-body replaces/);
  writeFileSync(join(dir, 'bad.json'), '{"url":');
  failed(await cli('create', '--json-body', join(dir, 'bad.json')), /is not JSON/);

  // Delete.
  const deleted = await cli('delete', rawAnswer.webhook.id);
  assert.deepEqual([deleted.code, deleted.stdout.trim()], [0, `deleted: ${rawAnswer.webhook.id}`]);
  failed(await cli('delete', rawAnswer.webhook.id), /NOT_FOUND/);
  const left = (await rest.get('/api/v1/webhooks')).webhooks as { id: string }[];
  assert.deepEqual(left.map((x) => x.id).sort(), [id, mineId].sort());
});

void test('channels through the CLI: secrets from files or the environment, tests delivered; bad input refused', async (t) => {
  const slack = await startReceiver(t);
  const hook = await startReceiver(t);
  const master = await startMaster(t, { args: ['--no-local-agent'] });
  const rest = new RestClient(master.url);
  const dir = tempDir(t);
  const slackUrl = `${slack.url}/services/T0/B0/XYZ`;
  writeFileSync(join(dir, 'slack-url'), `${slackUrl}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'smtp-password'), 's3cret-pw\n', { mode: 0o600 });
  const cli = cliOf(master, 'channel', { SLACK_URL: slackUrl });

  const help = await runCli('master', ['channel', '--help']);
  assert.equal(help.code, 0, help.all);
  assert.match(help.stdout, /--webhook-url-file FILE[\s\S]*--webhook-url-env VAR/);

  // Bad input: non-zero, a clear message, nothing stored.
  refused(
    await cli('create', '--name', 'x', '--kind', 'pigeon'),
    /--kind must be one of email, slack, telegram, webhook/,
  );
  refused(
    await cli('create', '--name', 'x', '--kind', 'slack', '--webhook-url', slackUrl),
    /not taken on the command line.*--webhook-url-file FILE or --webhook-url-env VAR/,
  );
  refused(
    await cli('create', '--name', 'x', '--kind', 'email', '--host', 'h', '--password', 'pw'),
    /not taken on the command line.*--password-file/,
  );
  failed(
    await cli('create', '--name', 'x', '--kind', 'webhook', '--url', 'ftp://127.0.0.1/'),
    /BAD_REQUEST: body\.config\.url: must be an absolute http/,
  );
  refused(await cli('create', '--name', 'x', '--kind', 'slack'), /needs its incoming-webhook URL/);
  failed(
    await cli('create', '--name', 'x', '--kind', 'slack', '--webhook-url-env', 'NOT_SET_ANYWHERE'),
    /NOT_SET_ANYWHERE is not set/,
  );
  failed(
    await cli('create', '--name', 'x', '--kind', 'slack', '--webhook-url-file', join(dir, 'missing')),
    /cannot read --webhook-url-file/,
  );
  refused(await cli('create', '--name', 'x', '--kind', 'slack', '--host', 'h'), /--host is for email channels/);
  refused(await cli('create', '--kind', 'slack'), /create needs --name/);
  assert.deepEqual((await rest.get('/api/v1/channels')).channels, []);

  // Slack, its URL from a file: created, never shown, tested.
  const created = await cli(
    'create',
    '--name',
    'ops slack',
    '--kind',
    'slack',
    '--webhook-url-file',
    join(dir, 'slack-url'),
  );
  assert.equal(created.code, 0, created.all);
  const slackId = /^created: (ch_[0-9a-f]+) \(slack channel ops slack\)$/m.exec(created.stdout)?.[1];
  assert.ok(slackId, created.stdout);
  assert.ok(!created.stdout.includes('secret'), created.stdout);
  const list = await cli('list');
  assert.match(list.stdout, new RegExp(`${slackId}\\s+ops slack\\s+slack\\s+\\(incoming webhook\\)\\s+webhookUrl`));
  const show = await cli('show', slackId);
  assert.match(show.stdout, /^secrets set\s+webhookUrl$/m);
  for (const out of [list.stdout, show.stdout, (await cli('show', slackId, '--json')).stdout]) {
    assert.ok(!out.includes('XYZ'), out);
  }
  const tested = await cli('test', slackId);
  assert.equal(tested.code, 0, tested.all);
  const deliveryId = /test delivery queued: (\S+)/.exec(tested.stdout)![1]!;
  await waitFor(() => slack.received.length === 1, { what: 'the Slack test message' });
  assert.equal(slack.received[0]!.path, '/services/T0/B0/XYZ');
  assert.match((JSON.parse(slack.received[0]!.body) as { text: string }).text, /\[TEST\] Scrapyard channel ops slack/);
  await waitDelivered(cli, slackId, deliveryId);
  assert.match(
    (await cli('deliveries', slackId)).stdout,
    new RegExp(`^${deliveryId}\\s+channel\\.test\\s+delivered`, 'm'),
  );

  // The same URL from the environment; a second channel of the name is refused by the master.
  const fromEnv = await cli('create', '--name', 'slack 2', '--kind', 'slack', '--webhook-url-env', 'SLACK_URL');
  assert.equal(fromEnv.code, 0, fromEnv.all);
  failed(
    await cli('create', '--name', 'slack 2', '--kind', 'slack', '--webhook-url-env', 'SLACK_URL'),
    /CONFLICT: a channel named slack 2 exists/,
  );

  // A webhook channel: the generated signing secret is printed once and signs the test.
  const wh = await cli('create', '--name', 'hook', '--kind', 'webhook', '--url', `${hook.url}/alerts`);
  assert.equal(wh.code, 0, wh.all);
  const whId = /^created: (ch_[0-9a-f]+)/m.exec(wh.stdout)![1]!;
  const signing = /^signing secret: (whsec_\S+)$/m.exec(wh.stdout)?.[1];
  assert.ok(signing, wh.stdout);
  assert.match(wh.stdout, /will not be shown again/);
  await cli('test', whId);
  await waitFor(() => hook.received.length === 1, { what: 'the webhook channel test' });
  assert.equal(verify(signing, hook.received[0]!).type, 'alert.firing');

  // Email: update merges the given settings and keeps the password.
  const mail = await cli(
    'create',
    '--name',
    'ops mail',
    '--kind',
    'email',
    '--host',
    '127.0.0.1',
    '--port',
    '2525',
    '--from',
    'scrapyard@localhost',
    '--to',
    'ops@localhost',
    '--username',
    'alerts',
    '--password-file',
    join(dir, 'smtp-password'),
    '--json',
  );
  assert.equal(mail.code, 0, mail.all);
  const mailId = (JSON.parse(mail.stdout) as { channel: { id: string } }).channel.id;
  const updated = await cli('update', mailId, '--to', 'a@localhost,b@localhost', '--require-tls', '--json');
  assert.equal(updated.code, 0, updated.all);
  const ch = (JSON.parse(updated.stdout) as { channel: { config: Record<string, unknown>; secretFields: string[] } })
    .channel;
  assert.deepEqual(ch.config, {
    host: '127.0.0.1',
    port: 2525,
    secure: false,
    requireTls: true,
    allowInsecureAuth: false,
    username: 'alerts',
    from: 'scrapyard@localhost',
    to: ['a@localhost', 'b@localhost'],
  });
  assert.deepEqual(ch.secretFields, ['password']);
  refused(await cli('update', mailId, '--kind', 'slack'), /kind cannot change/);
  refused(await cli('update', mailId, '--chat-id', '123'), /--chat-id is for telegram channels, not email ones/);
  failed(await cli('update', mailId, '--port', '70000'), /BAD_REQUEST: body\.config\.port/);
  // Another port (or host, or TLS turned down) is a new destination: the password must be given again.
  failed(await cli('update', mailId, '--port', '2526'), /SECRET_REQUIRED: .*secret\.password/);
  const moved = await cli('update', mailId, '--port', '2526', '--password-file', join(dir, 'smtp-password'));
  assert.equal(moved.code, 0, moved.all);

  const deleted = await cli('delete', mailId);
  assert.equal(deleted.code, 0, deleted.all);
  const names = ((await rest.get('/api/v1/channels')).channels as { name: string }[]).map((c) => c.name).sort();
  assert.deepEqual(names, ['hook', 'ops slack', 'slack 2']);
});
