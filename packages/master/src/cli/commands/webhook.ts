/**
 * `scrapyard-master webhook …`: webhooks through the running master's REST API. A webhook's signing secret is
 * shown once, when the master generates it (create, --rotate-secret); your own is read from a file or the
 * environment.
 */
import { Webhook, WebhookList, WebhookWithSecret, WEBHOOK_EVENTS } from '@scrapyard/protocol';
import { UsageError } from '../errors.js';
import type { Ctx } from '../spec.js';
import { commaList, defined, either, table, when } from '../values.js';
import { secretFlags, secretFrom, secretLines, targetCommand } from './targets.js';

/** '' clears a nullable field. */
const clearable = (v: string | undefined) => (v === '' ? null : v);

/** The fields create and update share. */
function fieldsOf(c: Ctx): Record<string, unknown> {
  return {
    name: clearable(c.str('name')),
    url: c.str('url'),
    project: clearable(c.str('project')),
    spider: clearable(c.str('spider')),
    events: commaList(c.list('event')),
    items: either(c.bool('items'), c.bool('no-items'), ['items', 'no-items']),
    itemsPerBatch: c.num('items-per-batch'),
    ratePerSecond: c.num('rate'),
  };
}

const scope = (w: Webhook) => (w.project === null ? '*' : `${w.project}/${w.spider ?? '*'}`);

export const WEBHOOK_COMMAND = targetCommand({
  resource: { noun: 'webhook', list: '/webhooks', key: 'webhooks', idPattern: /^wh_/ },
  summary: 'Webhooks: signed POSTs of job events to a receiver. ID|NAME: its id, or its name when no other has it.',
  fields: {
    url: { type: 'string', arg: 'URL', help: "where deliveries go (the master's own URL is --master-url)" },
    name: { type: 'string', arg: 'NAME', help: "a name ('' clears it on update)" },
    project: { type: 'string', arg: 'P', help: "only this project's events ('' clears it)" },
    spider: { type: 'string', arg: 'S', help: "only this spider's (of --project; '' clears it)" },
    event: {
      type: 'list',
      arg: 'E',
      help: `${WEBHOOK_EVENTS.join(', ')} (repeatable or comma-separated; default: all)`,
    },
    items: { type: 'boolean', help: "send each crawl's items in job.items batches" },
    'no-items': { type: 'boolean', help: 'send no items' },
    'items-per-batch': { type: 'number', arg: 'N', help: 'items in a batch (default 100)' },
    rate: { type: 'number', arg: 'PER_SECOND', help: 'requests per second to the receiver (default 1)' },
    disabled: { type: 'boolean', help: 'create: start disabled' },
    enable: { type: 'boolean', help: 'update: enable it' },
    disable: { type: 'boolean', help: 'update: disable it' },
    ...secretFlags(
      'secret',
      'your own whsec_… signing secret (create: default one is generated; update: sets it, and a new --url needs it or --rotate-secret)',
    ),
    'rotate-secret': { type: 'boolean', help: 'update: replace the signing secret with a new one, printed once' },
  },
  listSummary: 'webhooks with their URL, scope, events and state',
  createUsage: '--url URL [fields]',
  createSummary: 'add a webhook; prints its signing secret once',
  updateUsage: '[fields]',
  updateSummary: 'change the given fields',
  createBody(c) {
    if (!c.has('url')) throw new UsageError('create needs --url URL');
    if (c.bool('enable') || c.bool('disable')) {
      throw new UsageError('create takes --disabled (--enable and --disable are for update)');
    }
    if (c.bool('rotate-secret')) throw new UsageError('--rotate-secret is for update (create generates a secret)');
    return defined({
      ...fieldsOf(c),
      enabled: c.bool('disabled') ? false : undefined,
      secret: secretFrom(c, 'secret'),
    });
  },
  updateBody(c) {
    const secret = secretFrom(c, 'secret');
    if (secret !== undefined && c.bool('rotate-secret')) {
      throw new UsageError('give either --secret-file/--secret-env or --rotate-secret, not both');
    }
    if (c.bool('disabled')) throw new UsageError('update takes --enable or --disable (--disabled is for create)');
    return Promise.resolve(
      defined({
        ...fieldsOf(c),
        enabled: either(c.bool('enable'), c.bool('disable'), ['enable', 'disable']),
        rotateSecret: c.bool('rotate-secret') ? true : undefined,
        secret,
      }),
    );
  },
  list(answer) {
    const rows = [['ID', 'NAME', 'URL', 'PROJECT/SPIDER', 'EVENTS', 'ITEMS', 'RATE', 'STATE']];
    for (const w of WebhookList.parse(answer).webhooks) {
      rows.push([
        w.id,
        w.name ?? '-',
        w.url,
        scope(w),
        w.events.join(',') || '-',
        w.items ? `${w.itemsPerBatch}/batch` : 'no',
        `${w.ratePerSecond}/s`,
        w.enabled ? 'enabled' : 'disabled',
      ]);
    }
    return table(rows);
  },
  show(answer) {
    const w = Webhook.parse((answer as { webhook: unknown }).webhook);
    return table([
      ['id', w.id],
      ['name', w.name ?? '-'],
      ['url', w.url],
      ['project/spider', scope(w)],
      ['events', w.events.join(', ') || '-'],
      ['items', w.items ? `yes, up to ${w.itemsPerBatch} a batch` : 'no'],
      ['rate', `${w.ratePerSecond} requests/s`],
      ['state', w.enabled ? 'enabled' : 'disabled'],
      ['created', when(w.createdAt)],
      ['updated', when(w.updatedAt)],
    ]);
  },
  saved(answer, verb, sent) {
    const { webhook, secret } = WebhookWithSecret.parse(answer);
    // The master echoes a secret it was given: only one it generated is news.
    const own = secret !== undefined && (sent as { secret?: unknown } | null)?.secret === secret;
    return `${verb}: ${webhook.id} → ${webhook.url}${own ? '' : secretLines('signing secret', secret)}`;
  },
  listOutput: WebhookList,
  oneOutput: WebhookWithSecret,
  savedOutput: WebhookWithSecret,
});
