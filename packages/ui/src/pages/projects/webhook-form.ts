/**
 * The webhook form (strings and boxes, as the inputs hold them) to the REST bodies and back (pure). A new webhook
 * belongs to the page's project (a spider of it, or all its spiders); an edit keeps its scope's project. The URL
 * and secret are the master's to check: a changed URL without the secret is refused (SECRET_REQUIRED), its message
 * shown as it comes.
 */
import type { CreateWebhookRequest, UpdateWebhookRequest, Webhook, WebhookEvent } from '@scrapyard/protocol';
import type { Built, FieldErrors } from '../../components/use-form.js';

export const EVENTS = ['job.started', 'job.finished', 'job.failed', 'job.retried'] as const;
// Every event the protocol knows is offered: a new one fails the type check here until it is listed.
type Unlisted = Exclude<WebhookEvent, (typeof EVENTS)[number]>;
const everyEventListed: [Unlisted] extends [never] ? true : never = true;
void everyEventListed;

export interface WebhookForm {
  name: string;
  url: string;
  /** '' : every spider of the project. */
  spider: string;
  events: WebhookEvent[];
  items: boolean;
  /** '' : the master's default. */
  itemsPerBatch: string;
  ratePerSecond: string;
  enabled: boolean;
  /** '' : generated on create, kept on edit. */
  secret: string;
  rotateSecret: boolean;
}

export function emptyWebhookForm(): WebhookForm {
  return {
    name: '',
    url: '',
    spider: '',
    events: [...EVENTS],
    items: false,
    itemsPerBatch: '',
    ratePerSecond: '',
    enabled: true,
    secret: '',
    rotateSecret: false,
  };
}

export function formFromWebhook(w: Webhook): WebhookForm {
  return {
    name: w.name ?? '',
    url: w.url,
    spider: w.spider ?? '',
    events: [...w.events],
    items: w.items,
    itemsPerBatch: String(w.itemsPerBatch),
    ratePerSecond: String(w.ratePerSecond),
    enabled: w.enabled,
    secret: '',
    rotateSecret: false,
  };
}

type Fields = Omit<CreateWebhookRequest, 'project' | 'secret' | 'spider'>;
interface Common {
  fields: Fields;
  spider: string | null;
  /** Only when typed. */
  secret: { secret?: string };
}

/** What both bodies hold, with the form's own checks per field. */
function common(f: WebhookForm): Built<WebhookForm, Common> {
  const errors: FieldErrors<WebhookForm> = {};
  const number = (key: 'itemsPerBatch' | 'ratePerSecond', int: boolean): number | undefined => {
    const text = f[key].trim();
    if (text === '') return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) {
      errors[key] = int ? 'a whole number of at least 1' : 'a number above 0';
    }
    return n;
  };
  if (f.url.trim() === '') errors.url = 'where to POST, e.g. https://example.com/hooks/scrapyard';
  if (f.events.length === 0 && !f.items) errors.events = 'choose at least one event, or items';
  const secret = f.secret.trim();
  if (secret !== '' && f.rotateSecret) errors.secret = 'give a secret or ask for a new one, not both';
  const itemsPerBatch = number('itemsPerBatch', true);
  const ratePerSecond = number('ratePerSecond', false);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const fields: Fields = {
    name: f.name.trim() === '' ? null : f.name.trim(),
    url: f.url.trim(),
    events: EVENTS.filter((e) => f.events.includes(e)),
    items: f.items,
    ...(itemsPerBatch !== undefined && { itemsPerBatch }),
    ...(ratePerSecond !== undefined && { ratePerSecond }),
    enabled: f.enabled,
  };
  const spider = f.spider.trim();
  return { ok: true, body: { fields, spider: spider === '' ? null : spider, secret: secret === '' ? {} : { secret } } };
}

export function createWebhookBody(f: WebhookForm, project: string): Built<WebhookForm, CreateWebhookRequest> {
  const r = common(f);
  return r.ok ? { ok: true, body: { ...r.body.fields, project, spider: r.body.spider, ...r.body.secret } } : r;
}

/** A webhook of every project has no spider to choose: its scope is left as it is. */
export function updateWebhookBody(f: WebhookForm, w: Webhook): Built<WebhookForm, UpdateWebhookRequest> {
  const r = common(f);
  if (!r.ok) return r;
  const { fields, spider, secret } = r.body;
  return {
    ok: true,
    body: {
      ...fields,
      ...(w.project !== null && { spider }),
      ...secret,
      ...(f.rotateSecret && { rotateSecret: true }),
    },
  };
}

/** Whether the URL typed sends somewhere else than the webhook's (the master then wants the secret again). */
export function urlChanged(f: WebhookForm, w: Webhook | undefined): boolean {
  return w !== undefined && f.url.trim() !== w.url;
}
