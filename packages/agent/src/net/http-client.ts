/**
 * Plain HTTP(S) requests to the master with an optional private CA, via node:http/https. (The global fetch can't
 * take a CA without an extra undici dispatcher; these two calls don't justify one.)
 */
import { X509Certificate } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ConnectionOptions } from 'node:tls';

export interface MasterHttpOptions {
  /** PEM of the CA that signed the master's certificate (private CAs, self-signed masters). */
  ca?: Buffer;
  /** `ca` is the master's own certificate: see masterTls. */
  caIsMasterCert?: boolean;
  timeoutMs?: number;
}

/**
 * TLS options for dialling the master. With `caIsMasterCert` (the embedded agent, handed its master's own
 * certificate) that certificate is the one trust anchor even when a CA signed it (a partial chain), and the
 * master must present exactly it: matched by fingerprint rather than host name, since the embedded agent dials a
 * loopback address the certificate need not name. Verification is never switched off.
 */
export function masterTls(
  ca: Buffer | undefined,
  caIsMasterCert = false,
): Pick<ConnectionOptions, 'ca' | 'allowPartialTrustChain' | 'checkServerIdentity'> {
  if (!ca) return {};
  if (!caIsMasterCert) return { ca };
  const pinned = new X509Certificate(ca).fingerprint256; // the first certificate of the file: the master's own
  return {
    ca,
    allowPartialTrustChain: true,
    checkServerIdentity: (_host, cert) =>
      cert.fingerprint256 === pinned
        ? undefined
        : new Error(`the master presented certificate ${cert.fingerprint256}, not its own (${pinned})`),
  };
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
        ...(u.protocol === 'https:' ? masterTls(o.ca, o.caIsMasterCert) : {}),
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
