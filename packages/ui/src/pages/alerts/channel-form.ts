/**
 * The channel form (strings) to the REST bodies and back (pure): one kind at a time, its secret sent, never shown.
 * An edit sends the secret only when typed; one that changes where the channel sends without it is refused by the
 * master (SECRET_REQUIRED), which names the secret: `channelFieldOf` puts that beside the kind's secret field.
 */
import type { Channel, ChannelKind, CreateChannelRequest, UpdateChannelRequest } from '@scrapyard/protocol';

export interface ChannelForm {
  kind: ChannelKind;
  name: string;
  /** webhook: where to POST. */
  url: string;
  /** webhook: its signing secret (empty: made by the master on create, kept on edit). */
  signingSecret: string;
  /** slack: the incoming-webhook URL (a secret). */
  slackUrl: string;
  chatId: string;
  botToken: string;
  host: string;
  port: string;
  from: string;
  /** Comma or space separated addresses. */
  to: string;
  username: string;
  password: string;
}

export function emptyChannelForm(): ChannelForm {
  return {
    kind: 'webhook',
    name: '',
    url: '',
    signingSecret: '',
    slackUrl: '',
    chatId: '',
    botToken: '',
    host: '',
    port: '587',
    from: '',
    to: '',
    username: '',
    password: '',
  };
}

/** The master validates each field (URL, address, token) and its refusal names the one it refused. */
export function channelRequestFromForm(f: ChannelForm): CreateChannelRequest {
  const name = f.name.trim();
  switch (f.kind) {
    case 'webhook': {
      const secret = f.signingSecret.trim();
      return {
        kind: 'webhook',
        name,
        config: { url: f.url.trim() },
        ...(secret !== '' && { secret: { signingSecret: secret } }),
      };
    }
    case 'slack':
      return { kind: 'slack', name, config: {}, secret: { webhookUrl: f.slackUrl.trim() } };
    case 'telegram':
      return {
        kind: 'telegram',
        name,
        config: { chatId: f.chatId.trim(), apiBaseUrl: 'https://api.telegram.org' },
        secret: { botToken: f.botToken.trim() },
      };
    case 'email':
      return {
        kind: 'email',
        name,
        config: {
          host: f.host.trim(),
          port: Number(f.port),
          secure: Number(f.port) === 465,
          requireTls: false,
          allowInsecureAuth: false,
          ...(f.username.trim() !== '' && { username: f.username.trim() }),
          from: f.from.trim(),
          to: f.to.split(/[\s,]+/).filter((a) => a !== ''),
        },
        ...(f.password !== '' && { secret: { password: f.password } }),
      };
  }
}

/** Where a channel sends, in words, without its secret. */
export function channelTarget(kind: ChannelKind, config: Record<string, unknown>): string {
  const s = (k: string) => (typeof config[k] === 'string' ? (config[k] as string) : '');
  switch (kind) {
    case 'webhook':
      return s('url');
    case 'slack':
      return 'Slack incoming webhook';
    case 'telegram':
      return `Telegram chat ${s('chatId')}`;
    case 'email':
      return `mail to ${Array.isArray(config.to) ? config.to.join(', ') : ''} via ${s('host')}`;
  }
}

/** A channel as the edit form starts: its settings, its secrets empty (never shown; typed again to change them). */
export function formFromChannel(c: Channel): ChannelForm {
  const s = (k: string) =>
    typeof c.config[k] === 'string' || typeof c.config[k] === 'number' ? String(c.config[k]) : '';
  return {
    ...emptyChannelForm(),
    kind: c.kind,
    name: c.name,
    url: s('url'),
    chatId: s('chatId'),
    host: s('host'),
    port: s('port'),
    from: s('from'),
    to: Array.isArray(c.config.to) ? c.config.to.join(', ') : '',
    username: s('username'),
  };
}

/** The secret of each kind, as the master names it, and the form field it is typed in. */
const SECRET: Record<ChannelKind, { key: string; field: keyof ChannelForm }> = {
  webhook: { key: 'signingSecret', field: 'signingSecret' },
  slack: { key: 'webhookUrl', field: 'slackUrl' },
  telegram: { key: 'botToken', field: 'botToken' },
  email: { key: 'password', field: 'password' },
};

/**
 * PATCH /channels/:id: the name, the kind's whole config (what the form does not show kept as it is), and the
 * secret only when typed.
 */
export function channelUpdateFromForm(f: ChannelForm, c: Channel): UpdateChannelRequest {
  const shown: Record<ChannelKind, Record<string, unknown>> = {
    webhook: { url: f.url.trim() },
    slack: {},
    telegram: { chatId: f.chatId.trim() },
    email: {
      host: f.host.trim(),
      port: Number(f.port),
      from: f.from.trim(),
      to: f.to.split(/[\s,]+/).filter((a) => a !== ''),
      username: f.username.trim(),
    },
  };
  const config: Record<string, unknown> = { ...c.config, ...shown[c.kind] };
  if (c.kind === 'email') {
    // The form shows no TLS choice: it stays as set, unless the port moved (465 is TLS from the start).
    if (String(c.config.port) !== f.port.trim()) config.secure = Number(f.port) === 465;
    if (config.username === '') delete config.username;
  }
  const { key, field } = SECRET[c.kind];
  const typed = String(f[field]).trim();
  return { name: f.name.trim(), config, ...(typed !== '' && { secret: { [key]: typed } }) };
}

/** The form field a refused body path is about: `config.<field>`, `secret…` (the kind's secret), `name`. */
export function channelFieldOf(kind: ChannelKind, path: string): keyof ChannelForm | undefined {
  const [head, next] = path.split('.');
  if (head === 'secret') return SECRET[kind].field;
  if (head === 'name') return 'name';
  if (head === 'config' && next !== undefined && next in emptyChannelForm()) return next as keyof ChannelForm;
  return undefined;
}
