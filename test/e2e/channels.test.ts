/**
 * Notification channels against a real master: email to an SMTP server the test starts, Slack and Telegram to
 * local stand-ins, a signed webhook channel; "send test" through the outbox; secrets never returned and never
 * following a changed destination; SMTP credentials only over TLS unless allowed in clear; an SMTP 5xx dead at
 * once; outgoing requests refused where outbound_allowed_hosts forbids them (by default every non-public
 * address), never redirected to another host, and no answer body in the delivery log; bad input refused with a
 * clear 4xx and nothing stored. The test masters allow loopback receivers (LOOPBACK_RECEIVERS) unless a test says.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { RestClient } from '../helpers/http.js';
import { startMaster, type MasterProcess } from '../helpers/processes.js';
import { startReceiver } from '../helpers/receivers.js';
import { startSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

interface Delivery {
  id: string;
  state: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

void test('email, Slack, Telegram and webhook channels deliver a test message; secrets are never shown', async (t) => {
  const smtp = await startSmtp(t, { user: 'alerts', password: 's3cret-pw' });
  const slack = await startReceiver(t);
  const telegram = await startReceiver(t, () => ({ status: 200, body: '{"ok":true,"result":{"message_id":1}}' }));
  const hook = await startReceiver(t);
  const master = await startMaster(t);
  const rest = new RestClient(master.url);

  const create = async (body: object) =>
    (await rest.ok('POST', '/api/v1/channels', body)) as {
      channel: { id: string; secretFields: string[] };
      secret?: { signingSecret: string };
    };
  const mail = await create({
    name: 'ops mail',
    kind: 'email',
    config: {
      host: '127.0.0.1',
      port: smtp.port,
      from: 'scrapyard@localhost',
      to: ['ops@localhost', 'oncall@localhost'],
      username: 'alerts',
      // The test server has no TLS: the password may go in clear only because this says so.
      allowInsecureAuth: true,
    },
    secret: { password: 's3cret-pw' },
  });
  const sl = await create({ name: 'slack', kind: 'slack', secret: { webhookUrl: `${slack.url}/services/T0/B0/XYZ` } });
  const tg = await create({
    name: 'telegram',
    kind: 'telegram',
    config: { chatId: '-100123', apiBaseUrl: telegram.url },
    secret: { botToken: '123456:ABC-def' },
  });
  const wh = await create({ name: 'hook', kind: 'webhook', config: { url: `${hook.url}/alerts` } });
  assert.deepEqual(mail.channel.secretFields, ['password']);
  assert.match(wh.secret!.signingSecret, /^whsec_/);

  const listed = JSON.stringify(await rest.get('/api/v1/channels'));
  for (const secret of ['s3cret-pw', 'XYZ', 'ABC-def', wh.secret!.signingSecret]) {
    assert.ok(!listed.includes(secret), secret);
  }

  for (const c of [mail, sl, tg, wh]) {
    assert.equal((await rest.call('POST', `/api/v1/channels/${c.channel.id}/test`)).status, 202);
  }
  await waitFor(
    () =>
      smtp.mails.length === 1 &&
      slack.received.length === 1 &&
      telegram.received.length === 1 &&
      hook.received.length === 1,
    {
      what: 'a test message on every channel',
    },
  );
  assert.deepEqual(smtp.mails[0]!.to, ['ops@localhost', 'oncall@localhost']);
  assert.equal(smtp.mails[0]!.user, 'alerts');
  assert.match(smtp.mails[0]!.subject, /\[TEST\] Scrapyard channel ops mail/);
  assert.equal(slack.received[0]!.path, '/services/T0/B0/XYZ');
  assert.match((JSON.parse(slack.received[0]!.body) as { text: string }).text, /\[TEST\]/);
  assert.equal(telegram.received[0]!.path, '/bot123456:ABC-def/sendMessage');
  assert.equal((JSON.parse(telegram.received[0]!.body) as { chat_id: string }).chat_id, '-100123');
  const signed = hook.received[0]!;
  const verified = new StandardWebhook(wh.secret!.signingSecret).verify(signed.body, {
    'webhook-id': String(signed.headers['webhook-id']),
    'webhook-timestamp': String(signed.headers['webhook-timestamp']),
    'webhook-signature': String(signed.headers['webhook-signature']),
  }) as { type: string };
  assert.equal(verified.type, 'alert.firing');

  for (const c of [mail, sl, tg, wh]) {
    const log = await waitFor(
      async () => {
        const d = (await rest.get(`/api/v1/channels/${c.channel.id}/deliveries`)).deliveries as Delivery[];
        return d.length === 1 && d[0]!.state === 'delivered' && d;
      },
      { what: 'the delivery log' },
    );
    assert.equal(log[0]!.attempts, 1);
  }

  // Updating replaces settings whole, validated against the kind; the password kept when the destination stays.
  const updated = await rest.ok('PATCH', `/api/v1/channels/${mail.channel.id}`, {
    config: {
      host: '127.0.0.1',
      port: smtp.port,
      from: 'scrapyard@localhost',
      to: ['new@localhost'],
      username: 'alerts',
      allowInsecureAuth: true,
    },
  });
  assert.deepEqual((updated.channel as { config: { to: string[] } }).config.to, ['new@localhost']);
  await rest.ok('POST', `/api/v1/channels/${mail.channel.id}/test`);
  await waitFor(() => smtp.mails.length === 2, { what: 'a mail with the kept password' });
  assert.deepEqual(smtp.mails[1]!.to, ['new@localhost']);
});

void test('bad channels are refused with a clear 4xx and nothing stored', async (t) => {
  const master = await startMaster(t);
  const rest = new RestClient(master.url);
  const refused = async (body: unknown, status: number, msg: RegExp) => {
    const r = await rest.call('POST', '/api/v1/channels', body);
    assert.equal(r.status, status, r.text);
    assert.match((r.json.error as { message: string }).message, msg);
  };
  await refused({ name: 'x', kind: 'pager' }, 400, /kind/);
  await refused(
    { name: 'x', kind: 'slack', secret: { webhookUrl: 'javascript:alert(1)' } },
    400,
    /http:\/\/ or https:\/\//,
  );
  await refused({ name: 'x', kind: 'email', config: { host: '127.0.0.1', from: 'a@b', to: [] } }, 400, /to/);
  await refused(
    { name: 'x', kind: 'email', config: { host: '127.0.0.1', from: 'nobody', to: ['a@b'] } },
    400,
    /email address/,
  );
  await refused(
    { name: 'x', kind: 'telegram', config: { chatId: 'abc' }, secret: { botToken: '1:a' } },
    400,
    /chat id/,
  );
  await refused(
    { name: 'x', kind: 'telegram', config: { chatId: '1' }, secret: { botToken: 'nope' } },
    400,
    /bot token/,
  );
  await refused({ name: '', kind: 'slack', secret: { webhookUrl: 'http://127.0.0.1/' } }, 400, /name/);
  await refused(
    { name: 'x', kind: 'slack', secret: { webhookUrl: 'http://127.0.0.1/' }, ratePerSecond: -1 },
    400,
    /ratePerSecond/,
  );
  assert.deepEqual((await rest.get('/api/v1/channels')).channels, []);
  await rest.ok('POST', '/api/v1/channels', {
    name: 'dup',
    kind: 'slack',
    secret: { webhookUrl: 'http://127.0.0.1:9/' },
  });
  await refused({ name: 'dup', kind: 'slack', secret: { webhookUrl: 'http://127.0.0.1:9/' } }, 409, /exists/);
  assert.equal(((await rest.get('/api/v1/channels')).channels as unknown[]).length, 1);
  assert.equal((await rest.call('POST', '/api/v1/channels/ch_nothing/test')).status, 404);
  assert.equal(
    (await new RestClient(master.url, { adminToken: null }).call('POST', '/api/v1/channels', {})).status,
    401,
  );
});

void test('outgoing requests go only where outbound_allowed_hosts allows, never follow a redirect to another host, and log no answer body', async (t) => {
  const other = await startReceiver(t);
  const redirecting = await startReceiver(t, () => ({ status: 307, headers: { location: `${other.url}/stolen` } }));
  const failing = await startReceiver(t, () => ({ status: 500, body: '{"token":"internal-9f2c-secret"}' }));
  const telegram = await startReceiver(t, () => ({ status: 400, body: '{"ok":false,"description":"internal-9f2c"}' }));
  const master = await startMaster(t, {
    env: { SCRAPYARD_OUTBOUND_TIMEOUT_SECONDS: '2', SCRAPYARD_DELIVERY_MAX_ATTEMPTS: '1' },
  });
  const rest = new RestClient(master.url);
  const deadWith = async (body: object, what: RegExp) => {
    const c = (await rest.ok('POST', '/api/v1/channels', body)) as { channel: { id: string } };
    await rest.ok('POST', `/api/v1/channels/${c.channel.id}/test`);
    const d = await waitFor(
      async () => {
        const log = (await rest.get(`/api/v1/channels/${c.channel.id}/deliveries`)).deliveries as Delivery[];
        return log[0]?.state === 'dead' && log[0];
      },
      { what: `the delivery to ${JSON.stringify(body)} to fail` },
    );
    assert.match(d.lastError ?? '', what);
    return d;
  };
  const hook = (url: string) => ({ name: url, kind: 'webhook', config: { url } });
  // Even with loopback allowed, the metadata address is refused when saved.
  const metadata = await rest.call('POST', '/api/v1/channels', hook('http://169.254.169.254/latest/meta-data/'));
  assert.equal(metadata.status, 400, metadata.text);
  assert.match(metadata.text, /OUTBOUND_REFUSED.*cloud metadata address/);
  await deadWith(hook(`${redirecting.url}/hook`), /redirected to another host/);
  assert.equal(other.received.length, 0, 'the redirect target never saw the body');
  // A failing answer leaves its status line in the log, never its body.
  const d = await deadWith(hook(`${failing.url}/hook`), /^HTTP 500 Internal Server Error$/);
  assert.equal(d.lastStatus, 500);
  await deadWith(
    {
      name: 'tg',
      kind: 'telegram',
      config: { chatId: '1', apiBaseUrl: telegram.url },
      secret: { botToken: '1:abc' },
    },
    /^Telegram answered HTTP 400 Bad Request$/,
  );
  for (const c of (await rest.get('/api/v1/channels')).channels as { id: string }[]) {
    const log = JSON.stringify(await rest.get(`/api/v1/channels/${c.id}/deliveries`));
    assert.ok(!log.includes('internal-9f2c'), log);
  }

  // An explicit list: only what it names.
  const strict = await startMaster(t, {
    env: { SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: 'hooks.example.com', SCRAPYARD_DELIVERY_MAX_ATTEMPTS: '1' },
  });
  const refused = await new RestClient(strict.url).call('POST', '/api/v1/channels', hook(`${other.url}/x`));
  assert.equal(refused.status, 400, refused.text);
  assert.match(refused.text, /OUTBOUND_REFUSED.*not in outbound_allowed_hosts/);
  assert.equal(other.received.length, 0);
});

void test('by default no webhook or channel may name a loopback, private or metadata address, in any notation', async (t) => {
  const receiver = await startReceiver(t);
  const master = await startMaster(t, { env: { SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: undefined } });
  const rest = new RestClient(master.url);
  const port = new URL(receiver.url).port;
  const refused = async (path: string, body: object, what: RegExp) => {
    const r = await rest.call('POST', path, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal((r.json.error as { code: string }).code, 'OUTBOUND_REFUSED', r.text);
    assert.match((r.json.error as { message: string }).message, what);
  };
  await refused('/api/v1/webhooks', { url: `${receiver.url}/hook` }, /body\.url: 127\.0\.0\.1 is a loopback address/);
  for (const host of ['127.1', '2130706433', '0x7f.1', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0', 'localhost']) {
    await refused('/api/v1/webhooks', { url: `http://${host}:${port}/hook` }, /outbound_allowed_hosts/);
  }
  await refused('/api/v1/webhooks', { url: 'http://[fd00:ec2::254]/' }, /cloud metadata/);
  await refused('/api/v1/channels', hookChannel('http://10.0.0.1/'), /body\.config\.url: 10\.0\.0\.1 is a private/);
  await refused(
    '/api/v1/channels',
    { name: 'x', kind: 'slack', secret: { webhookUrl: 'http://168.63.129.16/' } },
    /body\.secret\.webhookUrl: 168\.63\.129\.16 is a cloud metadata/,
  );
  await refused(
    '/api/v1/channels',
    {
      name: 'x',
      kind: 'telegram',
      config: { chatId: '1', apiBaseUrl: 'http://100.64.0.1' },
      secret: { botToken: '1:a' },
    },
    /body\.config\.apiBaseUrl: 100\.64\.0\.1 is a carrier-grade NAT/,
  );
  await refused(
    '/api/v1/channels',
    { name: 'x', kind: 'email', config: { host: '127.1', from: 'a@b', to: ['c@d'] } },
    /body\.config\.host: 127\.0\.0\.1 is a loopback address/,
  );
  assert.deepEqual((await rest.get('/api/v1/webhooks')).webhooks, []);
  assert.deepEqual((await rest.get('/api/v1/channels')).channels, []);
  assert.equal(receiver.received.length, 0);
});

function hookChannel(url: string) {
  return { name: url, kind: 'webhook', config: { url } };
}

async function waitSettled(rest: RestClient, path: string): Promise<Delivery> {
  // An attempt is counted when it starts and its outcome written when it ends: a row no longer pending, or
  // retrying with an error, shows the first attempt's outcome.
  return waitFor(
    async () =>
      ((await rest.get(`${path}/deliveries`)).deliveries as Delivery[]).find(
        (d) => d.state !== 'pending' || d.lastError !== null,
      ),
    { what: `an attempt of ${path}` },
  );
}

void test('changing where a channel or webhook sends needs its secret again; the stored one never goes there', async (t) => {
  const telegram = await startReceiver(t, () => ({ status: 200, body: '{"ok":true,"result":{"message_id":1}}' }));
  const thief = await startReceiver(t, () => ({ status: 200, body: '{"ok":true,"result":{"message_id":1}}' }));
  const hook = await startReceiver(t);
  const smtp = await startSmtp(t, { user: 'alerts', password: 's3cret-pw' });
  const master: MasterProcess = await startMaster(t);
  const rest = new RestClient(master.url);
  const needsSecret = async (path: string, body: object) => {
    const before = await rest.get(path);
    const r = await rest.call('PATCH', path, body);
    assert.equal(r.status, 400, r.text);
    assert.equal((r.json.error as { code: string }).code, 'SECRET_REQUIRED', r.text);
    assert.deepEqual(await rest.get(path), before, 'nothing changed');
  };

  // Telegram: the bot token is in the URL, so a new base URL without the token is refused and nothing moves.
  const tg = (await rest.ok('POST', '/api/v1/channels', {
    name: 'tg',
    kind: 'telegram',
    config: { chatId: '-100123', apiBaseUrl: telegram.url },
    secret: { botToken: '123456:ABC-def' },
  })) as { channel: { id: string } };
  const tgPath = `/api/v1/channels/${tg.channel.id}`;
  await needsSecret(tgPath, { config: { chatId: '-100123', apiBaseUrl: thief.url } });
  await rest.ok('POST', `${tgPath}/test`);
  assert.equal((await waitSettled(rest, tgPath)).state, 'delivered');
  assert.equal(telegram.received.length, 1);
  assert.equal(thief.received.length, 0, 'the stored token never went to the new place');
  // With the secret given again, the change is the owner's.
  await rest.ok('PATCH', tgPath, {
    config: { chatId: '-100123', apiBaseUrl: thief.url },
    secret: { botToken: '999:given-again' },
  });
  await rest.ok('POST', `${tgPath}/test`);
  await waitFor(() => thief.received.length === 1, { what: 'the test at the new base URL' });
  assert.equal(thief.received[0]!.path, '/bot999:given-again/sendMessage');
  // Only the chat changes: no secret needed.
  await rest.ok('PATCH', tgPath, { config: { chatId: '-100999', apiBaseUrl: thief.url } });

  // A webhook channel and a webhook: a new URL needs the signing secret (or, for a webhook, a rotation).
  const wh = (await rest.ok('POST', '/api/v1/channels', hookChannel(`${hook.url}/a`))) as {
    channel: { id: string };
    secret: { signingSecret: string };
  };
  await needsSecret(`/api/v1/channels/${wh.channel.id}`, { config: { url: `${thief.url}/a` } });
  await rest.ok('PATCH', `/api/v1/channels/${wh.channel.id}`, {
    config: { url: `${thief.url}/a` },
    secret: { signingSecret: wh.secret.signingSecret },
  });
  const webhook = (await rest.ok('POST', '/api/v1/webhooks', { url: `${hook.url}/b` })) as {
    webhook: { id: string };
    secret: string;
  };
  const whPath = `/api/v1/webhooks/${webhook.webhook.id}`;
  await needsSecret(whPath, { url: `${thief.url}/b` });
  await rest.ok('PATCH', whPath, { name: 'renamed', url: `${hook.url}/b` }); // the same URL: nothing moves
  await rest.ok('PATCH', whPath, { url: `${thief.url}/b`, secret: webhook.secret });
  const rotated = await rest.ok('PATCH', whPath, { url: `${hook.url}/c`, rotateSecret: true });
  assert.match(String(rotated.secret), /^whsec_/);

  // Email: a password goes only inside TLS unless the channel allows it in clear; the test server has no TLS.
  const mail = (await rest.ok('POST', '/api/v1/channels', {
    name: 'mail',
    kind: 'email',
    config: { host: '127.0.0.1', port: smtp.port, username: 'alerts', from: 'a@localhost', to: ['b@localhost'] },
    secret: { password: 's3cret-pw' },
  })) as { channel: { id: string } };
  const mailPath = `/api/v1/channels/${mail.channel.id}`;
  await rest.ok('POST', `${mailPath}/test`);
  const refused = await waitSettled(rest, mailPath);
  assert.deepEqual([refused.state, refused.attempts], ['dead', 1]);
  assert.match(refused.lastError ?? '', /no TLS \(STARTTLS\), so the password was not sent.*allowInsecureAuth/);
  assert.equal(smtp.mails.length, 0);
  const config = { host: '127.0.0.1', port: smtp.port, username: 'alerts', from: 'a@localhost', to: ['b@localhost'] };
  // Turning TLS down, or another port or host, is a new destination.
  await needsSecret(mailPath, { config: { ...config, allowInsecureAuth: true } });
  await needsSecret(mailPath, { config: { ...config, port: smtp.port + 1 } });
  await needsSecret(mailPath, { config: { ...config, host: 'localhost' } });
  await rest.ok('PATCH', mailPath, { config: { ...config, requireTls: true } }); // tightening needs none
  await rest.ok('PATCH', mailPath, {
    config: { ...config, allowInsecureAuth: true },
    secret: { password: 's3cret-pw' },
  });
  await rest.ok('POST', `${mailPath}/test`);
  await waitFor(() => smtp.mails.length === 1, { what: 'the mail sent in clear on purpose' });
  assert.equal(smtp.mails[0]!.user, 'alerts');
});

void test('an SMTP 5xx ends a delivery dead at once, without retries', async (t) => {
  const smtp = await startSmtp(t, { refuse: { 'gone@localhost': 550, 'blocked@localhost': 554 } });
  const master = await startMaster(t);
  const rest = new RestClient(master.url);
  for (const [to, code] of [
    ['gone@localhost', 550],
    ['blocked@localhost', 554],
  ] as const) {
    const c = (await rest.ok('POST', '/api/v1/channels', {
      name: to,
      kind: 'email',
      config: { host: '127.0.0.1', port: smtp.port, from: 'a@localhost', to: [to] },
    })) as { channel: { id: string } };
    await rest.ok('POST', `/api/v1/channels/${c.channel.id}/test`);
    const d = await waitSettled(rest, `/api/v1/channels/${c.channel.id}`);
    assert.deepEqual([d.state, d.attempts, d.lastStatus], ['dead', 1, code], JSON.stringify(d));
    assert.match(d.lastError ?? '', new RegExp(`SMTP: .*${code}`));
  }
  assert.equal(smtp.mails.length, 0);
});
