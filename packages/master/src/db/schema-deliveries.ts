/** Tables of outgoing deliveries: webhooks, channels, the outbox and its marks (apart from schema.ts for size). */

/** An outgoing webhook of a project (or one spider of it, or every project when both are null). */
export interface WebhooksTable {
  id: string;
  name: string | null;
  project: string | null;
  spider: string | null;
  url: string;
  /** The signing key, sealed (auth/secret-box). */
  secret: string;
  /** JSON array of the job events it receives. */
  events: string;
  /** 1: the items of each crawl are sent in batches. */
  items: number;
  items_per_batch: number;
  rate_per_second: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** A notification channel of alerts: email, Slack, Telegram or a signed webhook. */
export interface ChannelsTable {
  id: string;
  name: string;
  kind: string;
  /** JSON object: the channel's settings without its secret. */
  config: string;
  /** Sealed JSON of the channel's secret settings (password, token, URL with a key in it), or null. */
  secret: string | null;
  rate_per_second: number;
  created_at: number;
  updated_at: number;
}

/** The durable outbox: one row per delivery to one webhook or channel, retried until delivered or dead. */
export interface DeliveriesTable {
  /** Also the Standard Webhooks `webhook-id`: the same on every attempt, so receivers can deduplicate. */
  id: string;
  kind: 'webhook' | 'alert';
  target_id: string;
  /** Unique per target: what makes enqueueing the same fact twice (a replay after a crash) a no-op. */
  dedup_key: string;
  /** The event type it carries (`job.finished`, `job.items`, `alert.firing`, `test`, …). */
  event: string;
  /** JSON: the message, or for items the range of the items file to read at send time. */
  payload: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_at: number;
  created_at: number;
  last_attempt_at: number | null;
  delivered_at: number | null;
  last_status: number | null;
  last_error: string | null;
  latency_ms: number | null;
}

/** How far the catch-up of job events into the outbox got (epoch ms), per event kind. */
export interface DeliveryMarksTable {
  name: string;
  at: number;
}
