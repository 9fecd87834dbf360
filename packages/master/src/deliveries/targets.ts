/**
 * Webhooks and channels in memory (the database is the truth; reloaded after every write): event handlers on the
 * job path and the outbox worker look targets up without a query. Secrets stay sealed here and are opened only
 * for the request that needs them.
 */
import type { ChannelKind, WebhookEvent } from '@scrapyard/protocol';
import type { DeliveriesRepo } from '../db/repos/deliveries.js';
import type { ChannelRow, WebhookRow } from '../db/repos/delivery-targets.js';

export interface WebhookTarget {
  kind: 'webhook';
  id: string;
  url: string;
  sealedSecret: string;
  project: string | null;
  spider: string | null;
  events: ReadonlySet<WebhookEvent>;
  items: boolean;
  itemsPerBatch: number;
  ratePerSecond: number;
  enabled: boolean;
  createdAt: number;
}

export interface ChannelTarget {
  kind: 'channel';
  id: string;
  name: string;
  channelKind: ChannelKind;
  config: Record<string, unknown>;
  sealedSecret: string | null;
  ratePerSecond: number;
}

export type Target = WebhookTarget | ChannelTarget;

export function webhookTarget(r: WebhookRow): WebhookTarget {
  return {
    kind: 'webhook',
    id: r.id,
    url: r.url,
    sealedSecret: r.secret,
    project: r.project,
    spider: r.spider,
    events: new Set(JSON.parse(r.events) as WebhookEvent[]),
    items: r.items === 1,
    itemsPerBatch: r.items_per_batch,
    ratePerSecond: r.rate_per_second,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
  };
}

export function channelTarget(r: ChannelRow): ChannelTarget {
  return {
    kind: 'channel',
    id: r.id,
    name: r.name,
    channelKind: r.kind as ChannelKind,
    config: JSON.parse(r.config) as Record<string, unknown>,
    sealedSecret: r.secret,
    ratePerSecond: r.rate_per_second,
  };
}

export class TargetCatalog {
  #webhooks = new Map<string, WebhookTarget>();
  #channels = new Map<string, ChannelTarget>();

  constructor(private readonly repo: DeliveriesRepo) {}

  async reload(): Promise<void> {
    const [hooks, channels] = await Promise.all([this.repo.webhooks.all(), this.repo.channels.all()]);
    this.#webhooks = new Map(hooks.map((h) => [h.id, webhookTarget(h)]));
    this.#channels = new Map(channels.map((c) => [c.id, channelTarget(c)]));
  }

  get(kind: 'webhook' | 'alert', id: string): Target | undefined {
    return kind === 'webhook' ? this.#webhooks.get(id) : this.#channels.get(id);
  }

  channel(id: string): ChannelTarget | undefined {
    return this.#channels.get(id);
  }

  /** Enabled hooks of a job's project and spider. */
  hooksFor(project: string, spider: string): WebhookTarget[] {
    const out: WebhookTarget[] = [];
    for (const h of this.#webhooks.values()) {
      if (h.enabled && (h.project === null || h.project === project) && (h.spider === null || h.spider === spider)) {
        out.push(h);
      }
    }
    return out;
  }

  /** Disabled hooks: their pending deliveries wait in the outbox until they are enabled again. */
  heldIds(): string[] {
    return [...this.#webhooks.values()].filter((h) => !h.enabled).map((h) => h.id);
  }

  /** Every hook, enabled or not. */
  webhooks(): WebhookTarget[] {
    return [...this.#webhooks.values()];
  }

  get hasHooks(): boolean {
    return this.#webhooks.size > 0;
  }
}
