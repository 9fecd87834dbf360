/**
 * Notification channels as the REST API and the CLI manage them: email (SMTP), Slack, Telegram and signed
 * webhooks. Settings are validated whole against the channel's kind; secrets (password, bot token, Slack URL,
 * signing key) are stored sealed, never returned (the API says which secret fields are set), and a generated
 * signing key is shown once. "Send test" enqueues a test notice through the outbox like a real alert. A
 * destination the outbound policy refuses is refused when saved (OUTBOUND_REFUSED); an update that changes where
 * a channel with a secret sends must give the secret again (SECRET_REQUIRED), so a kept secret never follows a
 * changed host or URL.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  EmailChannel,
  SlackChannel,
  TelegramChannel,
  WebhookChannel,
  type Channel,
  type CreateChannelRequest,
  type DeliveryQuery,
  type UpdateChannelRequest,
  type ChannelKind,
  type ChannelWithSecret,
  type Delivery,
} from '@scrapyard/protocol';
import type { SecretBox } from '../auth/secret-box.js';
import type { DeliveriesRepo } from '../db/repos/deliveries.js';
import type { ChannelRow } from '../db/repos/delivery-targets.js';
import type { DomainEvents } from '../events/domain-events.js';
import { CatalogueError, parseOr400 } from '@scrapyard/protocol';
import { canonicalHost, OutboundPolicy } from './outbound-policy.js';
import { deliveryView } from './delivery-view.js';
import type { AlertNotice } from './notice.js';
import type { StoredPayload } from './payloads.js';
import { sendTestDelivery } from './send-test-delivery.js';
import { newSigningSecret } from './signing.js';
import type { TargetCatalog } from './targets.js';

const MAX_CHANNELS = 1_000;
const DEFAULT_RATE = 1;
const KIND_SCHEMA = { email: EmailChannel, slack: SlackChannel, telegram: TelegramChannel, webhook: WebhookChannel };
const DEFAULT_POLICY = new OutboundPolicy(['*']);

type Settings = { config: Record<string, unknown>; secret?: Record<string, unknown> | undefined };

/**
 * Whether `after` sends a channel's secret somewhere else than `before` did, or less safely: another host, port,
 * URL or API base URL, or TLS turned down (tightening TLS needs no secret). Slack's destination is its secret, so
 * a config change can't move it.
 */
function movesSecret(kind: ChannelKind, before: Record<string, unknown>, after: Record<string, unknown>): boolean {
  const url = (v: unknown) => (typeof v === 'string' && URL.canParse(v) ? new URL(v).href : String(v));
  switch (kind) {
    case 'email':
      return (
        canonicalHost(String(before.host)) !== canonicalHost(String(after.host)) ||
        before.port !== after.port ||
        (before.secure === true && after.secure !== true) ||
        (before.requireTls === true && after.requireTls !== true) ||
        (before.allowInsecureAuth !== true && after.allowInsecureAuth === true)
      );
    case 'telegram':
      return url(before.apiBaseUrl) !== url(after.apiBaseUrl);
    case 'webhook':
      return url(before.url) !== url(after.url);
    case 'slack':
      return false;
  }
}

/** The field a kind's secret is in, for messages. */
const SECRET_FIELD: Record<ChannelKind, string> = {
  email: 'secret.password',
  slack: 'secret.webhookUrl',
  telegram: 'secret.botToken',
  webhook: 'secret.signingSecret',
};

export class ChannelService {
  constructor(
    private readonly d: {
      repo: DeliveriesRepo;
      targets: TargetCatalog;
      box: SecretBox;
      now: () => number;
      wake: () => void;
      /** Where channels may send (default: public addresses only). */
      policy?: OutboundPolicy;
      /** Changes are announced here (`config.changed`), after their commit. */
      events?: Pick<DomainEvents, 'publish'>;
    },
  ) {}

  /**
   * For the audit log: the names of the settings given, never their values (a webhook channel's URL or an
   * address may be sensitive, a secret always is).
   */
  #announce(c: Channel, change: 'created' | 'updated' | 'deleted', given: { config?: object; secret?: object }): void {
    this.d.events?.publish({
      type: 'config.changed',
      entity: 'channel',
      id: c.id,
      project: null,
      change,
      summary: {
        name: c.name,
        kind: c.kind,
        config: Object.keys(given.config ?? {}).sort(),
        secretFields: Object.keys(given.secret ?? {}).sort(),
      },
    });
  }

  /** Refuses a destination the outbound policy refuses (what can be known without DNS). */
  #checkDestination(kind: ChannelKind, s: Settings, checkSecret: boolean): void {
    const policy = this.d.policy ?? DEFAULT_POLICY;
    const refuse = (field: string, why: string | null) => {
      if (why) throw new CatalogueError('OUTBOUND_REFUSED', `body.${field}: ${why}`, { field });
    };
    if (kind === 'email') refuse('config.host', policy.hostRefusal(String(s.config.host)));
    if (kind === 'telegram') refuse('config.apiBaseUrl', policy.urlRefusal(String(s.config.apiBaseUrl)));
    if (kind === 'webhook') refuse('config.url', policy.urlRefusal(String(s.config.url)));
    if (kind === 'slack' && checkSecret && s.secret) {
      refuse('secret.webhookUrl', policy.urlRefusal(String(s.secret.webhookUrl)));
    }
  }

  #view(r: ChannelRow): Channel {
    const secret = r.secret === null ? {} : (JSON.parse(this.d.box.open(r.secret)) as Record<string, unknown>);
    return {
      id: r.id,
      name: r.name,
      kind: r.kind as ChannelKind,
      config: JSON.parse(r.config) as Record<string, unknown>,
      secretFields: Object.keys(secret).sort(),
      ratePerSecond: r.rate_per_second,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async list(): Promise<{ channels: Channel[] }> {
    return { channels: (await this.d.repo.channels.all()).map((r) => this.#view(r)) };
  }

  async #row(id: string): Promise<ChannelRow> {
    const row = await this.d.repo.channels.get(id);
    if (!row) throw channelNotFound(id);
    return row;
  }

  async get(id: string): Promise<Channel> {
    return this.#view(await this.#row(id));
  }

  /** A webhook channel without a signing key gets one, returned once. */
  #withSigningKey(kind: ChannelKind, secret: Record<string, unknown> | undefined) {
    if (kind !== 'webhook' || (secret && 'signingSecret' in secret)) return { secret, generated: undefined };
    const signingSecret = newSigningSecret();
    return { secret: { ...secret, signingSecret }, generated: { signingSecret } };
  }

  async create(b: CreateChannelRequest): Promise<ChannelWithSecret> {
    this.#checkDestination(b.kind, b, true);
    if (await this.d.repo.channels.nameTaken(b.name, null)) {
      throw new CatalogueError('CONFLICT', `a channel named ${b.name} exists`, { name: b.name });
    }
    if ((await this.d.repo.channels.count()) >= MAX_CHANNELS) {
      throw new CatalogueError('LIMIT_REACHED', `at most ${MAX_CHANNELS} channels; delete some first`, {
        max: MAX_CHANNELS,
      });
    }
    const { secret, generated } = this.#withSigningKey(b.kind, b.secret);
    const now = this.d.now();
    const row: ChannelRow = {
      id: `ch_${randomBytes(8).toString('hex')}`,
      name: b.name,
      kind: b.kind,
      config: JSON.stringify(b.config),
      secret: secret ? this.d.box.seal(JSON.stringify(secret)) : null,
      rate_per_second: b.ratePerSecond ?? DEFAULT_RATE,
      created_at: now,
      updated_at: now,
    };
    await this.d.repo.channels.insert(row);
    await this.d.targets.reload();
    const channel = this.#view(row);
    this.#announce(channel, 'created', { config: b.config, ...(secret ? { secret } : {}) });
    return { channel, ...(generated ? { secret: generated } : {}) };
  }

  async update(id: string, b: UpdateChannelRequest): Promise<ChannelWithSecret> {
    const row = await this.#row(id);
    const kind = row.kind as ChannelKind;
    if (b.name !== undefined && (await this.d.repo.channels.nameTaken(b.name, id))) {
      throw new CatalogueError('CONFLICT', `a channel named ${b.name} exists`, { name: b.name });
    }
    const oldSecret =
      row.secret === null ? undefined : (JSON.parse(this.d.box.open(row.secret)) as Record<string, unknown>);
    const oldConfig = JSON.parse(row.config) as Record<string, unknown>;
    const settings = parseOr400(
      KIND_SCHEMA[kind],
      { kind, config: b.config ?? oldConfig, secret: b.secret ?? oldSecret },
      'body',
    ) as Settings;
    if (b.config !== undefined || b.secret !== undefined) {
      this.#checkDestination(kind, settings, b.secret !== undefined);
    }
    if (b.config !== undefined && oldSecret !== undefined && b.secret === undefined) {
      // Compared with defaults applied on both sides, so only a real change of destination counts.
      const before = KIND_SCHEMA[kind].safeParse({ kind, config: oldConfig, secret: oldSecret });
      if (!before.success || movesSecret(kind, before.data.config as Record<string, unknown>, settings.config)) {
        throw new CatalogueError(
          'SECRET_REQUIRED',
          `body.secret: this config changes where the channel sends; give its secret again in the same request (${SECRET_FIELD[kind]})`,
          { field: 'secret', channel: id },
        );
      }
    }
    await this.d.repo.channels.update(id, {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.ratePerSecond !== undefined ? { rate_per_second: b.ratePerSecond } : {}),
      config: JSON.stringify(settings.config),
      secret: settings.secret ? this.d.box.seal(JSON.stringify(settings.secret)) : null,
      updated_at: this.d.now(),
    });
    await this.d.targets.reload();
    const channel = await this.get(id);
    this.#announce(channel, 'updated', {
      ...(b.config ? { config: b.config } : {}),
      ...(b.secret ? { secret: b.secret } : {}),
    });
    return { channel };
  }

  async delete(id: string): Promise<void> {
    const row = await this.#row(id);
    if (!(await this.d.repo.channels.delete(id))) {
      throw channelNotFound(id);
    }
    await this.d.targets.reload();
    this.#announce(this.#view(row), 'deleted', {});
  }

  async test(id: string): Promise<{ delivery: Delivery }> {
    const row = await this.#row(id);
    const now = this.d.now();
    const notice: AlertNotice = {
      alertId: 'test',
      ruleId: 'test',
      ruleName: 'test',
      ruleKind: 'test',
      state: 'firing',
      repeat: 0,
      subject: row.name,
      title: `[TEST] Scrapyard channel ${row.name}`,
      text: `A test message from Scrapyard to the ${row.kind} channel ${row.name}. If you read this, alerts will reach you here.`,
      link: null,
      labels: { channel: row.name },
      at: now,
    };
    const payload: StoredPayload = { kind: 'notice', notice };
    return sendTestDelivery(this.d, { kind: 'alert', id, event: 'channel.test' }, payload, now);
  }

  async deliveries(id: string, q: z.output<typeof DeliveryQuery>): Promise<{ deliveries: Delivery[] }> {
    await this.#row(id);
    return { deliveries: (await this.d.repo.log(id, q.state, q.limit)).map(deliveryView) };
  }
}

export const channelNotFound = (id: string) => new CatalogueError('NOT_FOUND', `no channel ${id}`, { channel: id });
