import assert from 'node:assert/strict';
import pino from 'pino';
import { CreateChannelRequest } from '@scrapyard/protocol';
import { SecretBox } from '../auth/secret-box.js';
import { runAsRequest } from '../auth/request-context.js';
import { createAuditRepo } from '../db/repos/audit.js';
import { createDeliveriesRepo } from '../db/repos/deliveries.js';
import { openTestDatabase, testEachStore } from '../db/stores.test-support.js';
import { ChannelService } from '../deliveries/channel-service.js';
import { TargetCatalog } from '../deliveries/targets.js';
import { WebhookService } from '../deliveries/webhook-service.js';
import { DomainEvents } from '../events/domain-events.js';
import { PolicyStore } from '../projects/policy-store.js';
import { AuditWriter } from './writer.js';

const logger = pino({ level: 'silent' });
const SIGNING = 'whsec_bXktb3duLXNpZ25pbmctc2VjcmV0LTEyMzQ1Ng==';
const SMTP_PASSWORD = 'smtp-pa55word';
const SLACK_KEY = 'T000/B000/XXXXSLACKKEY';
const URL_TOKEN = 'tok-in-the-query';

testEachStore(
  'webhook, channel and policy changes are audited by the services, with no secret',
  {},
  async (t, store) => {
    const db = await openTestDatabase(t, store);
    const events = new DomainEvents({ logger });
    const audit = createAuditRepo(db);
    const writer = new AuditWriter({ repo: audit, events, logger, now: Date.now });
    writer.start();
    const repo = createDeliveriesRepo(db);
    const common = { repo, targets: new TargetCatalog(repo), box: new SecretBox(Buffer.alloc(32, 7)), now: Date.now };
    const hooks = new WebhookService({ ...common, wake: () => {}, events });
    const channels = new ChannelService({ ...common, wake: () => {}, events });
    const policies = new PolicyStore(db, 0, events);

    await runAsRequest({ kind: 'admin', via: 'admin-token' }, '10.0.0.1', async () => {
      const { webhook } = await hooks.create({ url: `https://example.com/h?token=${URL_TOKEN}`, secret: SIGNING });
      await hooks.update(webhook.id, { rotateSecret: true, enabled: false });
      await hooks.delete(webhook.id);
      const email = await channels.create(
        CreateChannelRequest.parse({
          name: 'mail',
          kind: 'email',
          config: { host: 'smtp.example.com', username: 'ops', from: 'a@example.com', to: ['b@example.com'] },
          secret: { password: SMTP_PASSWORD },
        }),
      );
      await channels.update(email.channel.id, { secret: { password: `${SMTP_PASSWORD}-2` } });
      await channels.create(
        CreateChannelRequest.parse({
          name: 'slack',
          kind: 'slack',
          secret: { webhookUrl: `https://hooks.slack.com/services/${SLACK_KEY}` },
        }),
      );
      await policies.put('p', '', { ...policies.get('p'), maxRunning: 3 }, 1);
      await policies.put('p', '', { ...policies.get('p'), maxRunning: 4 }, 2);
      await policies.delete('p', '');
    });
    await writer.close();
    const rows = (await audit.page({ limit: 100 })).reverse();
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor_kind, r.address]),
      [
        ['webhook.create', 'admin', '10.0.0.1'],
        ['webhook.update', 'admin', '10.0.0.1'],
        ['webhook.delete', 'admin', '10.0.0.1'],
        ['channel.create', 'admin', '10.0.0.1'],
        ['channel.update', 'admin', '10.0.0.1'],
        ['channel.create', 'admin', '10.0.0.1'],
        ['policy.create', 'admin', '10.0.0.1'],
        ['policy.update', 'admin', '10.0.0.1'],
        ['policy.delete', 'admin', '10.0.0.1'],
      ],
    );
    const summaries = rows.map((r) => JSON.parse(r.summary) as Record<string, unknown>);
    assert.deepEqual(summaries[1], {
      name: null,
      destination: 'https://example.com',
      spider: null,
      events: summaries[0]!.events,
      items: false,
      enabled: false,
      fields: ['enabled'],
      secretChanged: true,
    });
    assert.deepEqual(summaries[3], {
      name: 'mail',
      kind: 'email',
      config: ['allowInsecureAuth', 'from', 'host', 'port', 'requireTls', 'secure', 'to', 'username'],
      secretFields: ['password'],
    });
    assert.deepEqual(summaries[7], { spider: null, policy: { maxRunning: 4 } });
    const text = JSON.stringify(rows);
    for (const secret of [SIGNING, SMTP_PASSWORD, SLACK_KEY, URL_TOKEN, 'whsec_']) {
      assert.ok(!text.includes(secret), `${secret} in the audit log`);
    }
  },
);
