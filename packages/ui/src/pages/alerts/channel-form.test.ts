import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelRequestFromForm, channelTarget, emptyChannelForm } from './channel-form.js';

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
