/**
 * HTTP receivers a test starts on loopback (webhook endpoints, Slack and Telegram stand-ins): each records what
 * it received and answers as the test says. Given a Standard Webhooks secret (`verifyWith`), a receiver checks
 * every signature on arrival, answers a bad one with 401, and `until` fails at once instead of timing out.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { waitFor } from './wait.js';

export interface Received {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Parsed JSON bodies of requests to a path (all paths when omitted). */
  json(path?: string): unknown[];
  /** Verifies every request (those already received too) with this `whsec_` secret from now on. */
  verifyWith(secret: string): void;
  /** Requests whose signature did not verify, with the reason. */
  rejected: { request: Received; reason: string }[];
  /** `waitFor`, failing as soon as a request did not verify (a wrong signature is not a 60 s timeout). */
  until<T>(
    probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    opts: { timeoutMs?: number; intervalMs?: number; what: string },
  ): Promise<T>;
}

/** The Standard Webhooks headers of a request. */
export const signatureHeadersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}
/** How to answer a request: at once, or later (a promise holds the request at the receiver until it settles). */
export type Respond = (r: Received) => Answer | Promise<Answer>;

export async function startReceiver(t: TestContext, respond: Respond = () => ({ status: 200 })): Promise<Receiver> {
  const received: Received[] = [];
  const rejected: { request: Received; reason: string }[] = [];
  let verifier: StandardWebhook | null = null;
  const verified = (r: Received): boolean => {
    if (!verifier) return true;
    try {
      verifier.verify(r.body, signatureHeadersOf(r));
      return true;
    } catch (e) {
      rejected.push({ request: r, reason: (e as Error).message });
      return false;
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        at: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      if (!verified(r)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
        return;
      }
      void (async () => {
        const answer = await respond(r);
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '{}');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    json: (path) =>
      received.filter((r) => path === undefined || r.path === path).map((r) => JSON.parse(r.body) as unknown),
    verifyWith(secret) {
      verifier = new StandardWebhook(secret);
      for (const r of received) verified(r);
    },
    rejected,
    async until(probe, opts) {
      // A mismatch ends the wait (a probe's own errors would only be retried until the timeout).
      const mismatch = Symbol('mismatch');
      const v = await waitFor(async () => (rejected.length > 0 ? mismatch : probe()), opts);
      if (v === mismatch) {
        const bad = rejected[0]!;
        throw new SignatureMismatch(
          `a request to ${bad.request.path} (webhook-id ${String(bad.request.headers['webhook-id'])}) did not verify: ${bad.reason}`,
        );
      }
      return v as Exclude<typeof v, typeof mismatch>;
    },
  };
}

export class SignatureMismatch extends Error {}
