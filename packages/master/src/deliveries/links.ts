/** Links to the master in webhooks and alerts: `public_url`, else the address it serves on. */
import { hostname } from 'node:os';

export interface LinkBase {
  publicUrl: string;
  bindAddress: string;
  /** The port served on (known once listening: the configured one may be 0). */
  httpPort: number;
  tls: boolean;
}

export function masterBaseUrl(c: LinkBase): string {
  if (c.publicUrl !== '') return c.publicUrl;
  const wildcard = c.bindAddress === '0.0.0.0' || c.bindAddress === '::';
  const host = wildcard ? hostname() : c.bindAddress.includes(':') ? `[${c.bindAddress}]` : c.bindAddress;
  return `${c.tls ? 'https' : 'http'}://${host}:${c.httpPort}`;
}

export function jobLinks(base: string, project: string, spider: string, jobId: string) {
  const p = [project, spider, jobId].map(encodeURIComponent);
  return {
    job: `${base}/api/v1/jobs/${p[2]}`,
    log: `${base}/logs/${p[0]}/${p[1]}/${p[2]}.log`,
    items: `${base}/items/${p[0]}/${p[1]}/${p[2]}.jl`,
  };
}
