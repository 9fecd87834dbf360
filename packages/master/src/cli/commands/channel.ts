/**
 * `scrapyard-master channel …`: notification channels (email, Slack, Telegram, signed webhook) through the running
 * master's REST API. Secrets (SMTP password, Slack URL, bot token, signing key) are read from a file or the
 * environment, never from the command line; a generated signing key is shown once. `update` merges the given
 * settings into the channel's (the API replaces `config` whole) and keeps the secret unless a new one is given.
 */
import type { Channel } from '@scrapyard/protocol';
import { CHANNEL_KINDS, ChannelList, ChannelWithSecret, type ChannelKind } from '@scrapyard/protocol';
import { UsageError } from '../errors.js';
import type { Ctx, Flags, Resource } from '../spec.js';
import { commaList, defined, either, table, when } from '../values.js';
import { secretFlags, secretFrom, secretLines, targetCommand } from './targets.js';

const FIELDS: Flags = {
  name: { type: 'string', arg: 'NAME', help: "the channel's unique name" },
  kind: { type: 'string', arg: 'KIND', help: CHANNEL_KINDS.join('|') },
  rate: { type: 'number', arg: 'PER_SECOND', help: 'messages per second at most' },
  host: { type: 'string', arg: 'HOST', help: 'email: the SMTP server' },
  port: { type: 'number', arg: 'N', help: 'email: its port (587)' },
  secure: { type: 'boolean', help: 'email: TLS from the start (port 465)' },
  'no-secure': { type: 'boolean', help: 'email: STARTTLS or none' },
  'require-tls': { type: 'boolean', help: 'email: refuse a server without STARTTLS' },
  'no-require-tls': { type: 'boolean', help: 'email: do not require it' },
  'allow-insecure-auth': { type: 'boolean', help: 'email: send the password without TLS (off by default)' },
  'no-allow-insecure-auth': { type: 'boolean', help: 'email: never send the password without TLS' },
  username: { type: 'string', arg: 'USER', help: 'email: the SMTP user' },
  ...secretFlags('password', "email: the SMTP user's password"),
  from: { type: 'string', arg: 'ADDRESS', help: 'email: the sender' },
  to: { type: 'list', arg: 'ADDRESS', help: 'email: recipients (repeatable or comma-separated)' },
  ...secretFlags('webhook-url', "slack: the incoming-webhook URL, which holds Slack's key"),
  'chat-id': { type: 'string', arg: 'ID|@channel', help: 'telegram: the chat' },
  'api-base-url': { type: 'string', arg: 'URL', help: 'telegram: the Bot API (https://api.telegram.org)' },
  ...secretFlags('bot-token', "telegram: the bot's token"),
  url: { type: 'string', arg: 'URL', help: "webhook: where alerts go (the master's own URL is --master-url)" },
  ...secretFlags('secret', 'webhook: a whsec_… signing secret (default: one is generated)'),
};

/** The flags of each kind (any other kind's are refused, so a typo'd kind can't silently drop settings). */
const KIND_FLAGS = Object.fromEntries(
  CHANNEL_KINDS.map((k) => [k, Object.keys(FIELDS).filter((f) => FIELDS[f]!.help.startsWith(`${k}:`))]),
) as Record<ChannelKind, string[]>;

function kindOf(raw: string): ChannelKind {
  if (!(CHANNEL_KINDS as readonly string[]).includes(raw)) {
    throw new UsageError(`--kind must be one of ${CHANNEL_KINDS.join(', ')}, not '${raw}'`);
  }
  return raw as ChannelKind;
}

function checkKindFlags(kind: ChannelKind, c: Ctx): void {
  for (const other of CHANNEL_KINDS) {
    if (other === kind) continue;
    const stray = KIND_FLAGS[other].find((f) => c.has(f) && !KIND_FLAGS[kind].includes(f));
    if (stray) throw new UsageError(`--${stray} is for ${other} channels, not ${kind} ones`);
  }
}

/** The settings the flags give (absent ones left out). */
function configOf(kind: ChannelKind, c: Ctx): Record<string, unknown> {
  switch (kind) {
    case 'email':
      return defined({
        host: c.str('host'),
        port: c.num('port'),
        secure: either(c.bool('secure'), c.bool('no-secure'), ['secure', 'no-secure']),
        requireTls: either(c.bool('require-tls'), c.bool('no-require-tls'), ['require-tls', 'no-require-tls']),
        allowInsecureAuth: either(c.bool('allow-insecure-auth'), c.bool('no-allow-insecure-auth'), [
          'allow-insecure-auth',
          'no-allow-insecure-auth',
        ]),
        username: c.str('username'),
        from: c.str('from'),
        to: commaList(c.list('to')),
      });
    case 'telegram':
      return defined({ chatId: c.str('chat-id'), apiBaseUrl: c.str('api-base-url') });
    case 'webhook':
      return defined({ url: c.str('url') });
    case 'slack':
      return {};
  }
}

/** Each kind's one secret: its field in the body and its flag. */
const SECRET: Record<ChannelKind, [string, string]> = {
  email: ['password', 'password'],
  slack: ['webhookUrl', 'webhook-url'],
  telegram: ['botToken', 'bot-token'],
  webhook: ['signingSecret', 'secret'],
};

function secretOf(kind: ChannelKind, c: Ctx): Record<string, string> | undefined {
  const [field, flag] = SECRET[kind];
  const value = secretFrom(c, flag);
  return value === undefined ? undefined : { [field]: value };
}

const NEEDED_SECRET: Partial<Record<ChannelKind, string>> = {
  slack: 'its incoming-webhook URL: --webhook-url-file FILE or --webhook-url-env VAR',
  telegram: 'its bot token: --bot-token-file FILE or --bot-token-env VAR',
};

function target(ch: Channel): string {
  const k = ch.config;
  switch (ch.kind) {
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

/** Channels are named by id or unique name (here and in alert rules' --channel). */
export const CHANNEL: Resource = { noun: 'channel', list: '/channels', key: 'channels', idPattern: /^ch_/ };

export const CHANNEL_COMMAND = targetCommand({
  resource: CHANNEL,
  summary: 'Notification channels of alert rules. ID|NAME: its id or its unique name.',
  fields: FIELDS,
  listSummary: 'channels with their kind, target and which secrets are set',
  createUsage: '--name NAME --kind email|slack|telegram|webhook [kind flags] [--rate PER_SECOND]',
  createSummary: "add a channel; a webhook channel's generated signing secret is printed once",
  updateUsage: '[--name NAME] [--rate PER_SECOND] [kind flags]',
  updateSummary: 'change the given settings (the others, and the secret, are kept)',
  createBody(c) {
    const name = c.str('name');
    const rawKind = c.str('kind');
    if (name === undefined) throw new UsageError('create needs --name NAME');
    if (rawKind === undefined) throw new UsageError(`create needs --kind ${CHANNEL_KINDS.join('|')}`);
    const kind = kindOf(rawKind);
    checkKindFlags(kind, c);
    const secret = secretOf(kind, c);
    const needed = NEEDED_SECRET[kind];
    if (needed && !secret) throw new UsageError(`a ${kind} channel needs ${needed}`);
    return defined({ name, kind, ratePerSecond: c.num('rate'), config: configOf(kind, c), secret });
  },
  async updateBody(c, current) {
    const channel = ChannelWithSecret.parse(await current()).channel;
    const rawKind = c.str('kind');
    if (rawKind !== undefined && kindOf(rawKind) !== channel.kind) {
      throw new UsageError(`a channel's kind cannot change (${channel.id} is ${channel.kind}): create another channel`);
    }
    checkKindFlags(channel.kind, c);
    const config = configOf(channel.kind, c);
    return defined({
      name: c.str('name'),
      ratePerSecond: c.num('rate'),
      // The API replaces config whole: the given settings over the channel's own.
      config: Object.keys(config).length > 0 ? { ...channel.config, ...config } : undefined,
      secret: secretOf(channel.kind, c),
    });
  },
  list(answer) {
    const rows = [['ID', 'NAME', 'KIND', 'TARGET', 'SECRETS SET', 'RATE']];
    for (const ch of ChannelList.parse(answer).channels) {
      rows.push([ch.id, ch.name, ch.kind, target(ch), ch.secretFields.join(',') || '-', `${ch.ratePerSecond}/s`]);
    }
    return table(rows);
  },
  show(answer) {
    const ch = ChannelWithSecret.parse(answer).channel;
    const settings = Object.entries(ch.config).map(([k, x]) => [
      k,
      Array.isArray(x) ? x.join(', ') : typeof x === 'string' ? x : JSON.stringify(x),
    ]);
    return table([
      ['id', ch.id],
      ['name', ch.name],
      ['kind', ch.kind],
      ...settings,
      ['secrets set', ch.secretFields.join(', ') || '-'],
      ['rate', `${ch.ratePerSecond} requests/s`],
      ['created', when(ch.createdAt)],
      ['updated', when(ch.updatedAt)],
    ]);
  },
  saved(answer, verb) {
    const { channel, secret } = ChannelWithSecret.parse(answer);
    return `${verb}: ${channel.id} (${channel.kind} channel ${channel.name})${secretLines('signing secret', secret?.signingSecret)}`;
  },
  listOutput: ChannelList,
  oneOutput: ChannelWithSecret,
  savedOutput: ChannelWithSecret,
});
