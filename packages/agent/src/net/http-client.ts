/**
 * Plain HTTP(S) requests to the master with an optional private CA, via node:http/https. (The global fetch can't
 * take a CA without an extra undici dispatcher; these two calls don't justify one.)
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface MasterHttpOptions {
  /** PEM of the CA that signed the master's certificate (private CAs, self-signed masters). */
  ca?: Buffer;
  timeoutMs?: number;
}

/** Starts a request; resolves with the response (status and streaming body) or rejects on connection errors. */
export function masterRequest(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  o: MasterHttpOptions = {},
): Promise<IncomingMessage> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: init.method,
        headers: {
          ...init.headers,
          ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}),
        },
        ...(u.protocol === 'https:' && o.ca ? { ca: o.ca } : {}),
        timeout: o.timeoutMs ?? 60_000,
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new Error(`${init.method} ${u.pathname}: no answer within the timeout`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

export async function readBody(res: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new Error('response too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}
