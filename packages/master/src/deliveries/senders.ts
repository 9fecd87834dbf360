/**
 * One attempt of one delivery: builds the request for its target (signed webhook, email, Slack, Telegram) from
 * the stored payload and sends it. Success is a 2xx (and `ok: true` from Telegram); anything else is a
 * `SendFailure` saying whether another attempt may help.
 */
import type { SecretBox } from '../auth/secret-box.js';
import type { DeliveryRow } from '../db/repos/deliveries.js';
import { jobFilePath, type JobFilesConfig } from '../jobs/job-files.js';
import { postJson, PostError, statusLine, type PostResult } from './http-post.js';
import { readItems } from './item-range.js';
import { OutboundRefused, type OutboundPolicy } from './outbound-policy.js';
import { envelope, type StoredPayload } from './payloads.js';
import { mailOf, slackOf, telegramOf } from './render.js';
import { signedHeaders } from './signing.js';
import type { ChannelTarget, Target } from './targets.js';

export class SendFailure extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export interface SendContext {
  box: SecretBox;
  policy: OutboundPolicy;
  timeoutMs: number;
  files: JobFilesConfig;
  now: () => number;
}

/** The HTTP status on success. */
export async function sendDelivery(row: DeliveryRow, target: Target, ctx: SendContext): Promise<number | null> {
  const payload = JSON.parse(row.payload) as StoredPayload;
  if (target.kind === 'webhook') {
    const body = await webhookBody(payload, ctx.files);
    return checked(
      await post(target.url, body, signedHeaders(ctx.box.open(target.sealedSecret), row.id, body, ctx.now()), ctx),
    );
  }
  if (payload.kind !== 'notice') throw new SendFailure(`a ${payload.kind} payload can't go to a channel`, null, false);
  return sendToChannel(row.id, payload, target, ctx);
}

async function webhookBody(p: StoredPayload, files: JobFilesConfig): Promise<string> {
  if (p.kind === 'event') return envelope(p.type, p.at, p.data);
  if (p.kind === 'notice') return envelope(`alert.${p.notice.state}`, p.notice.at, p.notice);
  const path = jobFilePath(files, 'items', p.job.project, p.job.spider, p.job.jobId);
  if (!path) throw new SendFailure('items are not stored on the master (items_dir is off or a URL)', null, false);
  let items: unknown[];
  try {
    items = await readItems(path, p.from, p.to);
  } catch (e) {
    throw new SendFailure(`the job's items file can't be read: ${(e as Error).message}`, null, false);
  }
  return envelope('job.items', p.at, { ...p.job, offset: p.from, final: p.final, count: items.length, items });
}

async function post(url: string, body: string, headers: Record<string, string>, ctx: SendContext): Promise<PostResult> {
  try {
    return await postJson(url, body, { policy: ctx.policy, timeoutMs: ctx.timeoutMs, headers });
  } catch (e) {
    if (e instanceof PostError) throw new SendFailure(e.message, null, e.retryable);
    throw e;
  }
}

/** A 2xx, or a failure that names the status line only (the body may be an internal service's page). */
function checked(r: PostResult): number {
  if (r.status >= 200 && r.status < 300) return r.status;
  throw new SendFailure(statusLine(r), r.status, true, r.retryAfterMs);
}

function secretOf<T>(target: ChannelTarget, box: SecretBox): T {
  if (target.sealedSecret === null) return {} as T;
  return JSON.parse(box.open(target.sealedSecret)) as T;
}

async function sendToChannel(
  id: string,
  p: Extract<StoredPayload, { kind: 'notice' }>,
  target: ChannelTarget,
  ctx: SendContext,
): Promise<number | null> {
  const n = p.notice;
  const json = { 'content-type': 'application/json', 'user-agent': 'Scrapyard-Alerts/1' };
  switch (target.channelKind) {
    case 'webhook': {
      const { signingSecret } = secretOf<{ signingSecret: string }>(target, ctx.box);
      const body = envelope(`alert.${n.state}`, n.at, n);
      return checked(
        await post(String(target.config.url), body, signedHeaders(signingSecret, id, body, ctx.now()), ctx),
      );
    }
    case 'slack': {
      const { webhookUrl } = secretOf<{ webhookUrl: string }>(target, ctx.box);
      return checked(await post(webhookUrl, JSON.stringify(slackOf(n)), json, ctx));
    }
    case 'telegram': {
      const { botToken } = secretOf<{ botToken: string }>(target, ctx.box);
      const base = String(target.config.apiBaseUrl).replace(/\/+$/, '');
      const body = JSON.stringify(telegramOf(n, String(target.config.chatId)));
      const r = await post(`${base}/bot${botToken}/sendMessage`, body, json, ctx);
      // Telegram answers errors as JSON with ok:false; the token is in the URL, never in what we log, and
      // neither is the body (the base URL may name another service).
      if (r.status === 200 && /"ok"\s*:\s*true/.test(r.body)) return r.status;
      const why = r.status === 200 ? `${statusLine(r)} without "ok": true` : statusLine(r);
      throw new SendFailure(`Telegram answered ${why}`, r.status, true, r.retryAfterMs);
    }
    case 'email':
      return sendMail(n, target, ctx);
  }
}

async function sendMail(
  n: Extract<StoredPayload, { kind: 'notice' }>['notice'],
  target: ChannelTarget,
  ctx: SendContext,
): Promise<null> {
  const c = target.config as {
    host: string;
    port: number;
    secure: boolean;
    requireTls: boolean;
    allowInsecureAuth?: boolean;
    username?: string;
    from: string;
    to: string[];
  };
  const { password } = secretOf<{ password?: string }>(target, ctx.box);
  let address: string;
  try {
    // SMTP takes no lookup function: resolve through the policy and connect to that address (TLS still checks the name).
    address = await ctx.policy.resolve(c.host);
  } catch (e) {
    throw new SendFailure((e as Error).message, null, !(e instanceof OutboundRefused));
  }
  // Credentials travel only inside TLS (from the start, or STARTTLS, which is then required), unless the channel
  // says allowInsecureAuth.
  const tlsForAuth = c.username !== undefined && c.allowInsecureAuth !== true;
  // Loaded at the first mail, not at start-up: a master without an email channel never pays for it (~3 MB RSS).
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: address,
    port: c.port,
    secure: c.secure,
    requireTLS: c.requireTls || tlsForAuth,
    tls: { servername: c.host },
    auth: c.username ? { user: c.username, pass: password ?? '' } : undefined,
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  try {
    await transport.sendMail({ from: c.from, to: c.to, ...mailOf(n) });
    return null;
  } catch (e) {
    const err = e as Error & { responseCode?: number; code?: string; command?: string };
    if (!c.secure && err.code === 'ETLS' && err.command === 'STARTTLS') {
      // The server offers no STARTTLS: a setting to change, not something another attempt fixes.
      throw new SendFailure(
        tlsForAuth
          ? 'SMTP: the server offers no TLS (STARTTLS), so the password was not sent; use a server with TLS, or set allowInsecureAuth to send it in clear'
          : 'SMTP: the server offers no TLS (STARTTLS) and requireTls is on',
        err.responseCode ?? null,
        false,
      );
    }
    // 5xx SMTP replies are permanent (bad recipient, refused sender, failed auth); the rest may pass later.
    const permanent = err.responseCode !== undefined && err.responseCode >= 500;
    // One line and short: the reply is the server's text.
    const message = err.message.replace(/\s+/g, ' ').slice(0, 300);
    throw new SendFailure(`SMTP: ${message}`, err.responseCode ?? null, !permanent);
  } finally {
    transport.close();
  }
}
