/**
 * One outgoing POST (webhooks, Slack, Telegram): connects only where the outbound policy allows (checked on the
 * resolved addresses), gives up after the timeout, follows at most a few redirects and only to the same origin
 * (a receiver can't bounce our signed body to another host), and reads at most a small part of the answer. Of
 * the answer only the status line reaches the delivery log, never the body.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { CatalogueError } from '@scrapyard/protocol';
import { parseRetryAfter } from './backoff.js';
import { OutboundRefused, type OutboundPolicy } from './outbound-policy.js';

const MAX_REDIRECTS = 3;
/** Enough of an answer to find Telegram's `ok`. */
const MAX_ANSWER_BYTES = 4096;

export interface PostResult {
  /** Retry-After of a 429 or 503, in ms. */
  retryAfterMs: number | null;
  status: number;
  /** The status line's reason (`Internal Server Error`), shortened and printable only. */
  reason: string;
  /**
   * The start of the answer's body, for APIs that answer errors with 200 (Telegram). Never logged or stored: the
   * receiver may be a service the caller can't otherwise read.
   */
  body: string;
}

/** `HTTP 500 Internal Server Error`: what the delivery log keeps of an answer. */
export function statusLine(r: Pick<PostResult, 'status' | 'reason'>): string {
  return `HTTP ${r.status}${r.reason ? ` ${r.reason}` : ''}`;
}

export class PostError extends CatalogueError {
  declare readonly code: 'DELIVERY_FAILED' | 'OUTBOUND_REFUSED';
  constructor(
    message: string,
    /** Whether trying again may help (a timeout, a refused connection) or not (a policy refusal). */
    readonly retryable: boolean,
    code: 'DELIVERY_FAILED' | 'OUTBOUND_REFUSED' = 'DELIVERY_FAILED',
  ) {
    super(code, message);
  }
}

export interface PostOptions {
  policy: OutboundPolicy;
  timeoutMs: number;
  headers: Record<string, string>;
}

function once(url: URL, body: string, o: PostOptions): Promise<{ res: IncomingMessage; text: string }> {
  // An IP literal is connected to without a lookup, so the policy is applied to it here.
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const refusal = isIP(literal) ? o.policy.refusal(literal, literal) : null;
  if (refusal) return Promise.reject(new PostError(refusal, false, 'OUTBOUND_REFUSED'));
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...o.headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: o.policy.lookup as never,
        timeout: o.timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(c.subarray(0, MAX_ANSWER_BYTES - size));
          size += c.length;
        });
        res.on('end', () => resolve({ res, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The socket timeout covers idle gaps; the deadline covers a receiver that trickles its answer.
    const deadline = setTimeout(
      () => req.destroy(new PostError(`no answer within ${o.timeoutMs} ms`, true)),
      o.timeoutMs,
    );
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new PostError(`no answer within ${o.timeoutMs} ms`, true)));
    req.on('error', (e: Error & { code?: string }) => {
      if (e instanceof PostError) reject(e);
      else if (e instanceof OutboundRefused) reject(new PostError(e.message, false, e.code));
      else reject(new PostError(e.code ? `${e.code}: ${e.message}` : e.message, true));
    });
    req.end(body);
  });
}

export async function postJson(target: string, body: string, o: PostOptions): Promise<PostResult> {
  let url = new URL(target);
  for (let hop = 0; ; hop++) {
    const { res, text } = await once(url, body, o);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status < 300 || status >= 400 || !location) {
      const retryAfter = status === 429 || status === 503 ? res.headers['retry-after'] : undefined;
      const reason = (res.statusMessage ?? '')
        .replace(/[^\x20-\x7e]/g, '')
        .slice(0, 60)
        .trim();
      return { status, reason, body: text, retryAfterMs: parseRetryAfter(retryAfter, Date.now()) };
    }
    const next = new URL(location, url);
    if (next.origin !== url.origin) {
      throw new PostError(`redirected to another host (${next.origin}); not followed`, false);
    }
    if (hop >= MAX_REDIRECTS) throw new PostError(`more than ${MAX_REDIRECTS} redirects`, false);
    url = next;
  }
}
