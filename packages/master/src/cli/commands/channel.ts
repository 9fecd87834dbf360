/**
 * `scrapyard-master channel …`: notification channels (email, Slack, Telegram, signed webhook) through the running
 * master's REST API. Secrets (SMTP password, Slack URL, bot token, signing key) are read from a file or the
 * environment, never from the command line; a generated signing key is shown once. `update` merges the given
 * settings into the channel's (the API replaces `config` whole) and keeps the secret unless a new one is given.
 */
import { parseArgs } from 'node:util';
import { CHANNEL_KINDS, Channel, ChannelList, ChannelWithSecret, type ChannelKind } from '@scrapyard/protocol';
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

export const CHANNEL_HELP = `Usage: scrapyard-master channel <command> [options]

Commands:
  list                          channels with their kind, target and which secrets are set
  show ID                       one channel (its secrets are never shown again)
  create --name NAME --kind email|slack|telegram|webhook [kind flags] [--rate PER_SECOND]
                                add a channel; a webhook channel's generated signing secret is printed once
  update ID [--name NAME] [--rate PER_SECOND] [kind flags]
                                change the given settings (the others, and the secret, are kept)
  delete ID                     delete the channel and its delivery log
  test ID                       send it a test notification
  deliveries ID [--state pending|delivered|dead] [--limit N]
                                its delivery log, newest first (default 20)

Kind flags:
  email     --host HOST  --port N (587)  --secure | --no-secure (TLS from the start, for port 465)
            --require-tls | --no-require-tls  --username USER  --password-file FILE | --password-env VAR
            --allow-insecure-auth | --no-allow-insecure-auth  (send the password without TLS; off by default)
            --from ADDRESS  --to ADDRESS… (repeatable or comma-separated)
  slack     --webhook-url-file FILE | --webhook-url-env VAR   (the incoming-webhook URL, which holds Slack's key)
  telegram  --chat-id ID|@channel  --api-base-url URL (https://api.telegram.org)
            --bot-token-file FILE | --bot-token-env VAR
  webhook   --url URL (where alerts go; the master's own URL is --master-url)
            --secret-file FILE | --secret-env VAR   (a whsec_… signing secret; default: one is generated)
${TARGET_HELP_TAIL}`;

const OPTIONS = {
  ...TARGET_OPTIONS,
  name: { type: 'string' },
  kind: { type: 'string' },
  rate: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  secure: { type: 'boolean' },
  'no-secure': { type: 'boolean' },
  'require-tls': { type: 'boolean' },
  'no-require-tls': { type: 'boolean' },
  'allow-insecure-auth': { type: 'boolean' },
  'no-allow-insecure-auth': { type: 'boolean' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  'password-env': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string', multiple: true },
  'webhook-url': { type: 'string' },
  'webhook-url-file': { type: 'string' },
  'webhook-url-env': { type: 'string' },
  'chat-id': { type: 'string' },
  'api-base-url': { type: 'string' },
  'bot-token': { type: 'string' },
  'bot-token-file': { type: 'string' },
  'bot-token-env': { type: 'string' },
  url: { type: 'string' },
  secret: { type: 'string' },
  'secret-file': { type: 'string' },
  'secret-env': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The flags of each kind (any other kind's are refused, so a typo'd kind can't silently drop settings). */
const KIND_FLAGS: Record<ChannelKind, string[]> = {
  email: [
    'host',
    'port',
    'secure',
    'no-secure',
    'require-tls',
    'no-require-tls',
    'allow-insecure-auth',
    'no-allow-insecure-auth',
    'username',
    'password-file',
    'password-env',
    'from',
    'to',
  ],
  slack: ['webhook-url-file', 'webhook-url-env'],
  telegram: ['chat-id', 'api-base-url', 'bot-token-file', 'bot-token-env'],
  webhook: ['url', 'secret-file', 'secret-env'],
};

function kindOf(raw: string): ChannelKind {
  if (!(CHANNEL_KINDS as readonly string[]).includes(raw)) {
    throw new CliError(`--kind must be one of ${CHANNEL_KINDS.join(', ')}, not '${raw}'`);
  }
  return raw as ChannelKind;
}

function checkKindFlags(kind: ChannelKind, v: Values): void {
  for (const other of CHANNEL_KINDS) {
    if (other === kind) continue;
    const stray = KIND_FLAGS[other].find((f) => f in v && !KIND_FLAGS[kind].includes(f));
    if (stray) throw new CliError(`--${stray} is for ${other} channels, not ${kind} ones`);
  }
}

/** The settings the flags give (absent ones left out). */
function configOf(kind: ChannelKind, v: Values): Record<string, unknown> {
  switch (kind) {
    case 'email':
      return defined({
        host: v.host,
        port: num('port', v.port),
        secure: either(v.secure, v['no-secure'], ['secure', 'no-secure']),
        requireTls: either(v['require-tls'], v['no-require-tls'], ['require-tls', 'no-require-tls']),
        allowInsecureAuth: either(v['allow-insecure-auth'], v['no-allow-insecure-auth'], [
          'allow-insecure-auth',
          'no-allow-insecure-auth',
        ]),
        username: v.username,
        from: v.from,
        to: commaList(v.to),
      });
    case 'telegram':
      return defined({ chatId: v['chat-id'], apiBaseUrl: v['api-base-url'] });
    case 'webhook':
      return defined({ url: v.url });
    case 'slack':
      return {};
  }
}

/** The secret the flags give (each kind has one secret field), or undefined. */
function secretOf(kind: ChannelKind, v: Values, env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const [field, value] =
    kind === 'email'
      ? ['password', secretFrom('password', v['password-file'], v['password-env'], env)]
      : kind === 'slack'
        ? ['webhookUrl', secretFrom('webhook-url', v['webhook-url-file'], v['webhook-url-env'], env)]
        : kind === 'telegram'
          ? ['botToken', secretFrom('bot-token', v['bot-token-file'], v['bot-token-env'], env)]
          : ['signingSecret', secretFrom('secret', v['secret-file'], v['secret-env'], env)];
  return value === undefined ? undefined : { [field]: value };
}

const NEEDED_SECRET: Partial<Record<ChannelKind, string>> = {
  slack: 'its incoming-webhook URL: --webhook-url-file FILE or --webhook-url-env VAR',
  telegram: 'its bot token: --bot-token-file FILE or --bot-token-env VAR',
};

function target(c: Channel): string {
  const k = c.config;
  switch (c.kind) {
    case 'email':
      return `${(k.to as string[]).join(',')} via ${String(k.host)}:${String(k.port)}`;
    case 'telegram':
      return `chat ${String(k.chatId)}`;
    case 'webhook':
      return String(k.url);
    case 'slack':
      return '(incoming webhook)';
  }
}

const cli: TargetCli<Values> = {
  noun: 'channel',
  help: CHANNEL_HELP,
  parse(args) {
    const parsed = parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });
    const v = parsed.values;
    refusePlainSecrets({
      password: v.password,
      'webhook-url': v['webhook-url'],
      'bot-token': v['bot-token'],
      secret: v.secret,
    });
    return parsed;
  },
  createBody(v, env) {
    if (v.name === undefined) throw new CliError('create needs --name NAME');
    if (v.kind === undefined) throw new CliError(`create needs --kind ${CHANNEL_KINDS.join('|')}`);
    const kind = kindOf(v.kind);
    checkKindFlags(kind, v);
    const secret = secretOf(kind, v, env);
    const needed = NEEDED_SECRET[kind];
    if (needed && !secret) throw new CliError(`a ${kind} channel needs ${needed}`);
    return defined({ name: v.name, kind, ratePerSecond: num('rate', v.rate), config: configOf(kind, v), secret });
  },
  async updateBody(v, env, current) {
    const channel = Channel.parse(((await current()) as { channel: unknown }).channel);
    if (v.kind !== undefined && kindOf(v.kind) !== channel.kind) {
      throw new CliError(`a channel's kind cannot change (${channel.id} is ${channel.kind}): create another channel`);
    }
    checkKindFlags(channel.kind, v);
    const config = configOf(channel.kind, v);
    return defined({
      name: v.name,
      ratePerSecond: num('rate', v.rate),
      // The API replaces config whole: the given settings over the channel's own.
      config: Object.keys(config).length > 0 ? { ...channel.config, ...config } : undefined,
      secret: secretOf(channel.kind, v, env),
    });
  },
  list(answer) {
    const rows = [['ID', 'NAME', 'KIND', 'TARGET', 'SECRETS SET', 'RATE']];
    for (const c of ChannelList.parse(answer).channels) {
      rows.push([c.id, c.name, c.kind, target(c), c.secretFields.join(',') || '-', `${c.ratePerSecond}/s`]);
    }
    return table(rows);
  },
  show(answer) {
    const c = Channel.parse((answer as { channel: unknown }).channel);
    const settings = Object.entries(c.config).map(([k, x]) => [
      k,
      Array.isArray(x) ? x.join(', ') : typeof x === 'string' ? x : JSON.stringify(x),
    ]);
    return table([
      ['id', c.id],
      ['name', c.name],
      ['kind', c.kind],
      ...settings,
      ['secrets set', c.secretFields.join(', ') || '-'],
      ['rate', `${c.ratePerSecond} requests/s`],
      ['created', when(c.createdAt)],
      ['updated', when(c.updatedAt)],
    ]);
  },
  saved(answer, verb) {
    const { channel, secret } = ChannelWithSecret.parse(answer);
    return `${verb}: ${channel.id} (${channel.kind} channel ${channel.name})${secretLines('signing secret', secret?.signingSecret)}`;
  },
};

/** Runs a channel subcommand; returns the exit code. */
export function runChannelCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runTargetCommand(cli, argv, env);
}
