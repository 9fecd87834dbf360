import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Channel } from '@scrapyard/protocol';
import {
  channelFieldOf,
  channelRequestFromForm,
  channelTarget,
  channelUpdateFromForm,
  emptyChannelForm,
  formFromChannel,
} from './channel-form.js';

void test('each kind sends only its own fields, the secret apart from the config', () => {
  const f = { ...emptyChannelForm(), name: ' ops ', url: 'http://127.0.0.1:9/x ' };
  assert.deepEqual(channelRequestFromForm(f), {
    kind: 'webhook',
    name: 'ops',
    config: { url: 'http://127.0.0.1:9/x' },
  });
  assert.deepEqual(channelRequestFromForm({ ...f, kind: 'slack', slackUrl: 'https://hooks.slack.com/x' }), {
    kind: 'slack',
    name: 'ops',
    config: {},
    secret: { webhookUrl: 'https://hooks.slack.com/x' },
  });
  const mail = channelRequestFromForm({ ...f, kind: 'email', host: 'smtp', port: '465', from: 'a@b', to: 'c@d, e@f' });
  assert.deepEqual(mail, {
    kind: 'email',
    name: 'ops',
    config: {
      host: 'smtp',
      port: 465,
      secure: true,
      requireTls: false,
      allowInsecureAuth: false,
      from: 'a@b',
      to: ['c@d', 'e@f'],
    },
  });
});

void test('where a channel sends, without its secret', () => {
  assert.equal(channelTarget('webhook', { url: 'http://x/y' }), 'http://x/y');
  assert.equal(channelTarget('email', { host: 'smtp', to: ['a@b'] }), 'mail to a@b via smtp');
});

const hook: Channel = {
  id: 'ch_1',
  name: 'ops',
  kind: 'webhook',
  config: { url: 'http://127.0.0.1:9/a' },
  secretFields: ['signingSecret'],
  ratePerSecond: 1,
  createdAt: 1,
  updatedAt: 1,
};

void test('an edit starts from what the channel shows, its secret empty, and sends the secret only when typed', () => {
  const f = formFromChannel(hook);
  assert.deepEqual([f.kind, f.name, f.url, f.signingSecret], ['webhook', 'ops', 'http://127.0.0.1:9/a', '']);
  assert.deepEqual(channelUpdateFromForm({ ...f, url: 'http://127.0.0.1:9/b' }, hook), {
    name: 'ops',
    config: { url: 'http://127.0.0.1:9/b' },
  });
  assert.deepEqual(channelUpdateFromForm({ ...f, signingSecret: ' whsec_abc ' }, hook).secret, {
    signingSecret: 'whsec_abc',
  });
});

void test("an edit keeps the settings the form doesn't show", () => {
  const mail: Channel = {
    ...hook,
    kind: 'email',
    config: { host: 'smtp', port: 2465, secure: true, requireTls: true, from: 'a@b', to: ['c@d'], username: 'u' },
  };
  const f = formFromChannel(mail);
  assert.equal(f.to, 'c@d');
  assert.deepEqual(channelUpdateFromForm({ ...f, username: '', password: 'pw' }, mail), {
    name: 'ops',
    config: { host: 'smtp', port: 2465, secure: true, requireTls: true, from: 'a@b', to: ['c@d'] },
    secret: { password: 'pw' },
  });
  assert.equal(channelUpdateFromForm({ ...f, port: '587' }, mail).config?.secure, false);
  const tg: Channel = { ...hook, kind: 'telegram', config: { chatId: '1', apiBaseUrl: 'https://tg.example' } };
  assert.deepEqual(channelUpdateFromForm({ ...formFromChannel(tg), chatId: '2' }, tg).config, {
    chatId: '2',
    apiBaseUrl: 'https://tg.example',
  });
});

void test("the master's refusal of a path lands on the form field it is about", () => {
  assert.equal(channelFieldOf('webhook', 'secret'), 'signingSecret');
  assert.equal(channelFieldOf('slack', 'secret.webhookUrl'), 'slackUrl');
  assert.equal(channelFieldOf('email', 'config.to.0'), 'to');
  assert.equal(channelFieldOf('webhook', 'config.url'), 'url');
  assert.equal(channelFieldOf('webhook', 'ratePerSecond'), undefined);
});
