import { z } from 'zod';
import { EpochMs, ProjectName, SpiderName } from '../primitives.js';

/** Bodies of /api/v1/webhooks and /api/v1/channels and their delivery logs (docs/webhooks.md, docs/alerts.md). */

/** An absolute http(s) URL without credentials in it (they would be logged and shown; use a channel secret). */
export const OutboundUrl = z
  .string()
  .max(2_048)
  .refine(
    (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol),
    'must be an absolute http:// or https:// URL',
  )
  .refine((v) => !URL.canParse(v) || (new URL(v).username === '' && new URL(v).password === ''), {
    message: 'must not carry a user or password',
  });

/** Standard Webhooks signing secret: `whsec_` + base64 of 24 to 64 random bytes. */
export const SigningSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be whsec_ followed by base64 of 24 to 64 bytes');

const Name = z.string().trim().min(1).max(100);
/** Outgoing requests per second to one receiver (the outbox holds the rest). */
const RatePerSecond = z.number().positive().max(1_000);

export const WEBHOOK_EVENTS = ['job.started', 'job.finished', 'job.failed', 'job.retried'] as const;
/** Job events a webhook can receive; `job.failed` is a finish with any outcome but succeeded or cancelled. */
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

const WebhookFields = z.object({
  name: Name.nullable().optional(),
  url: OutboundUrl,
  /** Absent: every project. */
  project: ProjectName.nullable().optional(),
  /** Only with a project. */
  spider: SpiderName.nullable().optional(),
  events: z.array(WebhookEvent).max(WEBHOOK_EVENTS.length).optional(),
  /** Send each crawl's items in batches (`job.items`). */
  items: z.boolean().optional(),
  itemsPerBatch: z.number().int().min(1).max(10_000).optional(),
  ratePerSecond: RatePerSecond.optional(),
  enabled: z.boolean().optional(),
});

function spiderNeedsProject(v: { project?: string | null; spider?: string | null }, ctx: z.RefinementCtx) {
  if (v.spider && !v.project) ctx.addIssue({ code: 'custom', path: ['spider'], message: 'a spider needs its project' });
}

export const CreateWebhookRequest = WebhookFields.extend({
  /** Absent: the master generates one and returns it once. */
  secret: SigningSecret.optional(),
})
  .strict()
  .superRefine((v, ctx) => {
    spiderNeedsProject(v, ctx);
    if ((v.events ?? WEBHOOK_EVENTS).length === 0 && !v.items) {
      ctx.addIssue({ code: 'custom', path: ['events'], message: 'choose at least one event, or items' });
    }
  });
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

/**
 * A `url` that changes where the webhook sends needs `secret` (its signing secret, or a new one) or `rotateSecret`
 * in the same request (SECRET_REQUIRED otherwise), so a kept secret never signs for a place its owner didn't name.
 */
export const UpdateWebhookRequest = WebhookFields.partial()
  .extend({
    /** Sets the signing secret (yours, or the one it has). */
    secret: SigningSecret.optional(),
    /** true: a new signing secret, returned once in the answer. */
    rotateSecret: z.boolean().optional(),
  })
  .strict()
  .refine((v) => !(v.secret !== undefined && v.rotateSecret), {
    path: ['rotateSecret'],
    message: 'give either secret or rotateSecret, not both',
  });
export type UpdateWebhookRequest = z.infer<typeof UpdateWebhookRequest>;

export const Webhook = z.object({
  id: z.string(),
  name: z.string().nullable(),
  url: z.string(),
  project: z.string().nullable(),
  spider: z.string().nullable(),
  events: z.array(WebhookEvent),
  items: z.boolean(),
  itemsPerBatch: z.number().int(),
  ratePerSecond: z.number(),
  enabled: z.boolean(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type Webhook = z.infer<typeof Webhook>;

/** Create and rotate answers: the only time the signing secret is shown. */
export const WebhookWithSecret = z.object({ webhook: Webhook, secret: SigningSecret.optional() });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecret>;
export const WebhookList = z.object({ webhooks: z.array(Webhook) });
export type WebhookList = z.infer<typeof WebhookList>;
export const WebhookResponse = z.object({ webhook: Webhook });

const Email = z
  .string()
  .max(320)
  .regex(/^[^\s@<>,;]+@[^\s@<>,;]+$/, 'must be an email address');
const HostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address');

export const EmailChannel = z.object({
  kind: z.literal('email'),
  config: z
    .object({
      host: HostName,
      port: z.number().int().min(1).max(65_535).default(587),
      /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
      secure: z.boolean().default(false),
      /**
       * Refuse to send without STARTTLS (a server that doesn't offer it fails the delivery). With a `username` TLS is
       * required anyway, unless `allowInsecureAuth`.
       */
      requireTls: z.boolean().default(false),
      /** true: send the username and password even over a connection without TLS (they travel in clear). */
      allowInsecureAuth: z.boolean().default(false),
      username: z.string().max(320).optional(),
      from: Email,
      to: z.array(Email).min(1).max(50),
    })
    .strict(),
  secret: z
    .object({ password: z.string().min(1).max(1_024) })
    .strict()
    .optional(),
});
export const SlackChannel = z.object({
  kind: z.literal('slack'),
  config: z.object({}).strict().default({}),
  /** The incoming-webhook URL holds Slack's key, so it is stored sealed and never shown again. */
  secret: z.object({ webhookUrl: OutboundUrl }).strict(),
});
export const TelegramChannel = z.object({
  kind: z.literal('telegram'),
  config: z
    .object({
      chatId: z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/, 'must be a numeric chat id or @channelname'),
      apiBaseUrl: OutboundUrl.default('https://api.telegram.org'),
    })
    .strict(),
  secret: z.object({ botToken: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{1,100}$/, 'must be a bot token') }).strict(),
});
export const WebhookChannel = z.object({
  kind: z.literal('webhook'),
  config: z.object({ url: OutboundUrl }).strict(),
  /** Absent: generated and returned once. */
  secret: z.object({ signingSecret: SigningSecret }).strict().optional(),
});

export const CHANNEL_KINDS = ['email', 'slack', 'telegram', 'webhook'] as const;
export const ChannelKind = z.enum(CHANNEL_KINDS);
export type ChannelKind = z.infer<typeof ChannelKind>;

const ChannelCommon = { name: Name, ratePerSecond: RatePerSecond.optional() };
export const CreateChannelRequest = z.discriminatedUnion('kind', [
  EmailChannel.extend(ChannelCommon).strict(),
  SlackChannel.extend(ChannelCommon).strict(),
  TelegramChannel.extend(ChannelCommon).strict(),
  WebhookChannel.extend(ChannelCommon).strict(),
]);
export type CreateChannelRequest = z.infer<typeof CreateChannelRequest>;
/** Settings and secret of one kind, as stored (defaults applied). */
export type ChannelSettings = Pick<CreateChannelRequest, 'kind' | 'config' | 'secret'>;

/**
 * Replaces what it names; `config` and `secret` are validated against the channel's kind, whole. A `config` that
 * changes where the channel sends (host, port, TLS settings, URL, API base URL) needs the `secret` again in the
 * same request (SECRET_REQUIRED otherwise): a kept secret only goes where it went when it was given.
 */
export const UpdateChannelRequest = z
  .object({
    name: Name.optional(),
    ratePerSecond: RatePerSecond.optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    secret: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type UpdateChannelRequest = z.infer<typeof UpdateChannelRequest>;

export const Channel = z.object({
  id: z.string(),
  name: z.string(),
  kind: ChannelKind,
  /** Without secrets. */
  config: z.record(z.string(), z.unknown()),
  /** Which secret fields are set (their values are never returned). */
  secretFields: z.array(z.string()),
  ratePerSecond: z.number(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type Channel = z.infer<typeof Channel>;
export const ChannelWithSecret = z.object({
  channel: Channel,
  secret: z.object({ signingSecret: SigningSecret }).optional(),
});
export type ChannelWithSecret = z.infer<typeof ChannelWithSecret>;
export const ChannelList = z.object({ channels: z.array(Channel) });
export type ChannelList = z.infer<typeof ChannelList>;
export const ChannelResponse = z.object({ channel: Channel });

export const DeliveryState = z.enum(['pending', 'delivered', 'dead']);
export const Delivery = z.object({
  /** Also the `webhook-id` header: the same on every attempt. */
  id: z.string(),
  kind: z.enum(['webhook', 'alert']),
  targetId: z.string(),
  event: z.string(),
  state: DeliveryState,
  attempts: z.number().int(),
  nextAt: EpochMs.nullable(),
  createdAt: EpochMs,
  lastAttemptAt: EpochMs.nullable(),
  deliveredAt: EpochMs.nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  latencyMs: z.number().int().nullable(),
});
export type Delivery = z.infer<typeof Delivery>;
export const DeliveryPage = z.object({ deliveries: z.array(Delivery) });
export type DeliveryPage = z.infer<typeof DeliveryPage>;
export const DeliveryQuery = z.object({
  state: DeliveryState.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});
export const TestDeliveryResponse = z.object({ delivery: Delivery });
