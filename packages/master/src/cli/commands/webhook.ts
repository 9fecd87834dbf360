/**
 * `scrapyard-master webhook …`: webhooks through the running master's REST API (the master validates and stores;
 * this turns flags into the JSON body and the answer into a table). A webhook's signing secret is shown once,
 * when the master generates it (create, --rotate-secret); your own is read from a file or the environment.
 */
import { parseArgs } from 'node:util';
import { Webhook, WebhookList, WebhookWithSecret, WEBHOOK_EVENTS } from '@scrapyard/protocol';
import { CliError, table } from '../admin-client.js';
import { commaList, defined, either, num, when } from '../values.js';
import {
  TARGET_OPTIONS,
  TARGET_HELP_TAIL,
  refusePlainSecrets,
  runTargetCommand,
  secretFrom,
  secretLines,
  type TargetCli,
} from './targets.js';

export const WEBHOOK_HELP = `Usage: scrapyard-master webhook <command> [options]

Commands:
  list                          webhooks with their URL, scope, events and state
  show ID                       one webhook (its secret is never shown again)
  create --url URL [fields]     add a webhook; prints its signing secret once
  update ID [fields]            change the given fields
  delete ID                     delete the webhook and its delivery log
  test ID                       send it a signed webhook.test delivery
  deliveries ID [--state pending|delivered|dead] [--limit N]
                                its delivery log, newest first (default 20)

Fields:
  --url URL              where deliveries go (the master's own URL is --master-url)
  --name NAME  --project P  --spider S (of --project)   ('' clears name, project or spider on update)
  --event E…             ${WEBHOOK_EVENTS.join(', ')} (repeatable or comma-separated; default: all)
  --items | --no-items   send each crawl's items in job.items batches  --items-per-batch N (default 100)
  --rate PER_SECOND      requests per second to the receiver (default 1)
  --disabled (create)  --enable | --disable (update)
  --secret-file FILE | --secret-env VAR   your own whsec_… signing secret (create: default one is generated;
                         update: sets it, and a new --url needs it or --rotate-secret)
  --rotate-secret        update: replace the signing secret with a new one, printed once
${TARGET_HELP_TAIL}`;

const OPTIONS = {
  ...TARGET_OPTIONS,
  url: { type: 'string' },
  name: { type: 'string' },
  project: { type: 'string' },
  spider: { type: 'string' },
  event: { type: 'string', multiple: true },
  items: { type: 'boolean' },
  'no-items': { type: 'boolean' },
  'items-per-batch': { type: 'string' },
  rate: { type: 'string' },
  disabled: { type: 'boolean' },
  enable: { type: 'boolean' },
  disable: { type: 'boolean' },
  secret: { type: 'string' },
  'secret-file': { type: 'string' },
  'secret-env': { type: 'string' },
  'rotate-secret': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** '' clears a nullable field. */
const clearable = (v: string | undefined) => (v === '' ? null : v);

/** The fields create and update share. */
function fieldsOf(v: Values): Record<string, unknown> {
  return {
    name: clearable(v.name),
    url: v.url,
    project: clearable(v.project),
    spider: clearable(v.spider),
    events: commaList(v.event),
    items: either(v.items, v['no-items'], ['items', 'no-items']),
    itemsPerBatch: num('items-per-batch', v['items-per-batch']),
    ratePerSecond: num('rate', v.rate),
  };
}

const scope = (w: Webhook) => (w.project === null ? '*' : `${w.project}/${w.spider ?? '*'}`);

const cli: TargetCli<Values> = {
  noun: 'webhook',
  help: WEBHOOK_HELP,
  parse(args) {
    const parsed = parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });
    refusePlainSecrets({ secret: parsed.values.secret });
    return parsed;
  },
  createBody(v, env) {
    if (v.url === undefined) throw new CliError('create needs --url URL');
    if (v.enable || v.disable) throw new CliError('create takes --disabled (--enable and --disable are for update)');
    if (v['rotate-secret']) throw new CliError('--rotate-secret is for update (create generates a secret)');
    return defined({
      ...fieldsOf(v),
      enabled: v.disabled ? false : undefined,
      secret: secretFrom('secret', v['secret-file'], v['secret-env'], env),
    });
  },
  updateBody(v, env) {
    const secret = secretFrom('secret', v['secret-file'], v['secret-env'], env);
    if (secret !== undefined && v['rotate-secret']) {
      throw new CliError('give either --secret-file/--secret-env or --rotate-secret, not both');
    }
    if (v.disabled) throw new CliError('update takes --enable or --disable (--disabled is for create)');
    return Promise.resolve(
      defined({
        ...fieldsOf(v),
        enabled: either(v.enable, v.disable, ['enable', 'disable']),
        rotateSecret: v['rotate-secret'] ? true : undefined,
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
};

/** Runs a webhook subcommand; returns the exit code. */
export function runWebhookCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runTargetCommand(cli, argv, env);
}
