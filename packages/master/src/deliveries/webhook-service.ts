/**
 * Webhooks as the REST API and the CLI manage them: create (the signing secret is shown once), list, show,
 * update, rotate the secret, delete, send a test, and the delivery log. Secrets are stored sealed and never
 * returned afterwards. A URL the outbound policy refuses is refused when saved (OUTBOUND_REFUSED), and a new URL
 * needs the secret (or a rotation) in the same update (SECRET_REQUIRED).
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  WEBHOOK_EVENTS,
  type CreateWebhookRequest,
  type Delivery,
  type DeliveryQuery,
  type UpdateWebhookRequest,
  type Webhook,
  type WebhookEvent,
  type WebhookWithSecret,
} from '@scrapyard/protocol';
import type { SecretBox } from '../auth/secret-box.js';
import type { DeliveriesRepo } from '../db/repos/deliveries.js';
import { replayFloorMark, type WebhookRow } from '../db/repos/delivery-targets.js';
import type { WebhooksTable } from '../db/schema-deliveries.js';
import type { DomainEvents } from '../events/domain-events.js';
import { CatalogueError } from '@scrapyard/protocol';
import { OutboundPolicy } from './outbound-policy.js';
import { deliveryView } from './delivery-view.js';
import type { StoredPayload } from './payloads.js';
import { sendTestDelivery } from './send-test-delivery.js';
import { newSigningSecret } from './signing.js';
import type { TargetCatalog } from './targets.js';

const MAX_WEBHOOKS = 1_000;
const DEFAULT_ITEMS_PER_BATCH = 100;
const DEFAULT_RATE = 1;
const DEFAULT_POLICY = new OutboundPolicy(['*']);

/** Where a URL sends: its origin and path as the URL parser reads them. */
function destination(url: string): string {
  return new URL(url).href;
}

export function webhookView(r: WebhookRow): Webhook {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    project: r.project,
    spider: r.spider,
    events: JSON.parse(r.events) as WebhookEvent[],
    items: r.items === 1,
    itemsPerBatch: r.items_per_batch,
    ratePerSecond: r.rate_per_second,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class WebhookService {
  constructor(
    private readonly d: {
      repo: DeliveriesRepo;
      targets: TargetCatalog;
      box: SecretBox;
      now: () => number;
      wake: () => void;
      /** Where webhooks may send (default: public addresses only). */
      policy?: OutboundPolicy;
      /** Changes are announced here (`config.changed`), after their commit. */
      events?: Pick<DomainEvents, 'publish'>;
    },
  ) {}

  /** For the audit log: where it sends as an origin only (a URL's path or query may carry a token), no secret. */
  #announce(w: Webhook, change: 'created' | 'updated' | 'deleted', extra: Record<string, unknown> = {}): void {
    this.d.events?.publish({
      type: 'config.changed',
      entity: 'webhook',
      id: w.id,
      project: w.project,
      change,
      summary: {
        name: w.name,
        destination: new URL(w.url).origin,
        spider: w.spider,
        events: w.events,
        items: w.items,
        enabled: w.enabled,
        ...extra,
      },
    });
  }

  #checkUrl(url: string): void {
    const why = (this.d.policy ?? DEFAULT_POLICY).urlRefusal(url);
    if (why) throw new CatalogueError('OUTBOUND_REFUSED', `body.url: ${why}`, { field: 'url' });
  }

  async list(): Promise<{ webhooks: Webhook[] }> {
    return { webhooks: (await this.d.repo.webhooks.all()).map(webhookView) };
  }

  async #row(id: string): Promise<WebhookRow> {
    const row = await this.d.repo.webhooks.get(id);
    if (!row) throw webhookNotFound(id);
    return row;
  }

  async get(id: string): Promise<Webhook> {
    return webhookView(await this.#row(id));
  }

  async create(b: CreateWebhookRequest): Promise<WebhookWithSecret> {
    this.#checkUrl(b.url);
    if ((await this.d.repo.webhooks.count()) >= MAX_WEBHOOKS) {
      throw new CatalogueError('LIMIT_REACHED', `at most ${MAX_WEBHOOKS} webhooks; delete some first`, {
        max: MAX_WEBHOOKS,
      });
    }
    const secret = b.secret ?? newSigningSecret();
    const now = this.d.now();
    const row: WebhooksTable = {
      id: `wh_${randomBytes(8).toString('hex')}`,
      name: b.name ?? null,
      project: b.project ?? null,
      spider: b.spider ?? null,
      url: b.url,
      secret: this.d.box.seal(secret),
      events: JSON.stringify(b.events ?? [...WEBHOOK_EVENTS]),
      items: b.items ? 1 : 0,
      items_per_batch: b.itemsPerBatch ?? DEFAULT_ITEMS_PER_BATCH,
      rate_per_second: b.ratePerSecond ?? DEFAULT_RATE,
      enabled: b.enabled === false ? 0 : 1,
      created_at: now,
      updated_at: now,
    };
    await this.d.repo.webhooks.insert(row);
    await this.d.targets.reload();
    this.#announce(webhookView(row as WebhookRow), 'created', { secretGiven: b.secret !== undefined });
    return { webhook: webhookView(row as WebhookRow), secret };
  }

  async update(id: string, b: UpdateWebhookRequest): Promise<WebhookWithSecret> {
    const row = await this.#row(id);
    const project = b.project === undefined ? row.project : b.project;
    const spider = b.spider === undefined ? row.spider : b.spider;
    if (spider && !project) {
      throw new CatalogueError('BAD_REQUEST', 'body.spider: a spider needs its project', { field: 'spider' });
    }
    const events = b.events ?? (JSON.parse(row.events) as WebhookEvent[]);
    const items = b.items ?? row.items === 1;
    if (events.length === 0 && !items) {
      throw new CatalogueError('BAD_REQUEST', 'body.events: choose at least one event, or items', { field: 'events' });
    }
    if (b.url !== undefined && destination(b.url) !== destination(row.url)) {
      this.#checkUrl(b.url);
      if (b.secret === undefined && !b.rotateSecret) {
        throw new CatalogueError(
          'SECRET_REQUIRED',
          'body.url: a new URL needs the signing secret in the same request (secret: the one it has or a new one, or rotateSecret: true)',
          { field: 'secret', webhook: id },
        );
      }
    }
    const secret = b.rotateSecret ? newSigningSecret() : b.secret;
    await this.d.repo.webhooks.update(id, {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.url !== undefined ? { url: b.url } : {}),
      project,
      spider,
      events: JSON.stringify(events),
      items: items ? 1 : 0,
      ...(b.itemsPerBatch !== undefined ? { items_per_batch: b.itemsPerBatch } : {}),
      ...(b.ratePerSecond !== undefined ? { rate_per_second: b.ratePerSecond } : {}),
      ...(b.enabled !== undefined ? { enabled: b.enabled ? 1 : 0 } : {}),
      ...(secret ? { secret: this.d.box.seal(secret) } : {}),
      updated_at: this.d.now(),
    });
    // Enabled again, or for other jobs or events: a restart's replay sends it nothing from before now.
    const rescoped = project !== row.project || spider !== row.spider || JSON.stringify(events) !== row.events;
    if ((b.enabled === true && row.enabled === 0) || rescoped) {
      await this.d.repo.raiseMark(replayFloorMark(id), this.d.now());
    }
    await this.d.targets.reload();
    this.d.wake();
    const webhook = await this.get(id);
    const fields = Object.keys(b).filter((k) => k !== 'secret' && k !== 'rotateSecret');
    this.#announce(webhook, 'updated', { fields: fields.sort(), secretChanged: secret !== undefined });
    return { webhook, ...(b.rotateSecret ? { secret } : {}) };
  }

  async delete(id: string): Promise<void> {
    const row = await this.#row(id);
    if (!(await this.d.repo.webhooks.delete(id))) {
      throw webhookNotFound(id);
    }
    await this.d.targets.reload();
    this.#announce(webhookView(row), 'deleted');
  }

  /** Enqueues a `webhook.test` delivery (signed like any other) and returns it; its log shows how it went. */
  async test(id: string): Promise<{ delivery: Delivery }> {
    const row = await this.#row(id);
    const now = this.d.now();
    const payload: StoredPayload = {
      kind: 'event',
      type: 'webhook.test',
      at: now,
      data: { webhookId: row.id, message: 'A test delivery from Scrapyard.' },
    };
    return sendTestDelivery(this.d, { kind: 'webhook', id, event: 'webhook.test' }, payload, now);
  }

  async deliveries(id: string, q: z.output<typeof DeliveryQuery>): Promise<{ deliveries: Delivery[] }> {
    await this.#row(id);
    return { deliveries: (await this.d.repo.log(id, q.state, q.limit)).map(deliveryView) };
  }
}

export const webhookNotFound = (id: string) => new CatalogueError('NOT_FOUND', `no webhook ${id}`, { webhook: id });
