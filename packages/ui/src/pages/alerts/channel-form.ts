/** The new-channel form (strings) to the REST body (pure): one kind at a time, its secret sent once, never shown. */
import type { ChannelKind, CreateChannelRequest } from '@scrapyard/protocol';

export interface ChannelForm {
  kind: ChannelKind;
  name: string;
  /** webhook: where to POST. */
  url: string;
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
    case 'webhook':
      return { kind: 'webhook', name, config: { url: f.url.trim() } };
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
