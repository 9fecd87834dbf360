/**
 * Notification channels against a real master: email to an SMTP server the test starts, Slack and Telegram to
 * local stand-ins, a signed webhook channel; "send test" through the outbox; secrets never returned; outgoing
 * requests refused where outbound_allowed_hosts forbids them and never redirected to another host; bad input
 * refused with a clear 4xx and nothing stored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { RestClient } from '../helpers/http.js';
import { startMaster } from '../helpers/processes.js';
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

  // Updating replaces settings whole, validated against the kind; the password kept when only config changes.
  const updated = await rest.ok('PATCH', `/api/v1/channels/${mail.channel.id}`, {
    config: {
      host: '127.0.0.1',
      port: smtp.port,
      from: 'scrapyard@localhost',
      to: ['new@localhost'],
      username: 'alerts',
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

void test('outgoing requests go only where outbound_allowed_hosts allows, and never follow a redirect to another host', async (t) => {
  const other = await startReceiver(t);
  const redirecting = await startReceiver(t, () => ({ status: 307, headers: { location: `${other.url}/stolen` } }));
  const master = await startMaster(t, {
    env: { SCRAPYARD_OUTBOUND_TIMEOUT_SECONDS: '2', SCRAPYARD_DELIVERY_MAX_ATTEMPTS: '1' },
  });
  const rest = new RestClient(master.url);
  const deadWith = async (url: string, what: RegExp) => {
    const c = (await rest.ok('POST', '/api/v1/channels', { name: url, kind: 'webhook', config: { url } })) as {
      channel: { id: string };
    };
    await rest.ok('POST', `/api/v1/channels/${c.channel.id}/test`);
    const d = await waitFor(
      async () => {
        const log = (await rest.get(`/api/v1/channels/${c.channel.id}/deliveries`)).deliveries as Delivery[];
        return log[0]?.state === 'dead' && log[0];
      },
      { what: `the delivery to ${url} to fail` },
    );
    assert.match(d.lastError ?? '', what);
  };
  await deadWith('http://169.254.169.254/latest/meta-data/', /link-local or cloud metadata/);
  await deadWith(`${redirecting.url}/hook`, /redirected to another host/);
  assert.equal(other.received.length, 0, 'the redirect target never saw the body');

  // An explicit list: only what it names.
  const strict = await startMaster(t, {
    env: { SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: 'hooks.example.com', SCRAPYARD_DELIVERY_MAX_ATTEMPTS: '1' },
  });
  const strictRest = new RestClient(strict.url);
  const c = (await strictRest.ok('POST', '/api/v1/channels', {
    name: 'x',
    kind: 'webhook',
    config: { url: `${other.url}/x` },
  })) as { channel: { id: string } };
  await strictRest.ok('POST', `/api/v1/channels/${c.channel.id}/test`);
  const d = await waitFor(
    async () =>
      ((await strictRest.get(`/api/v1/channels/${c.channel.id}/deliveries`)).deliveries as Delivery[]).find(
        (x) => x.state === 'dead',
      ),
    { what: 'the refused delivery' },
  );
  assert.match(d.lastError ?? '', /not in outbound_allowed_hosts/);
  assert.equal(other.received.length, 0);
});
