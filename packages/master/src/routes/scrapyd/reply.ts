/** Scrapyd's response conventions: Python-style JSON + newline, CORS headers, HTTP 200 for application errors. */
import type { FastifyReply } from 'fastify';
import { pyJson } from '../../scrapyd/py-json.js';

export type Method = 'GET' | 'POST';

/**
 * Which browser origins may read the Scrapyd API's answers. Scrapyd sends `Access-Control-Allow-Origin: *`, and
 * that stays the default (`['*']`) for dashboards served from elsewhere; a list of origins narrows it: a listed
 * request Origin is echoed, any other gets no ACAO header, and `Vary: Origin` keeps caches from mixing them.
 */
export class CorsPolicy {
  readonly #any: boolean;
  readonly #origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.#any = origins.includes('*');
    this.#origins = new Set(origins);
  }

  headers(method: Method, requestOrigin: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.#any) headers['access-control-allow-origin'] = '*';
    else {
      if (requestOrigin !== undefined && this.#origins.has(requestOrigin)) {
        headers['access-control-allow-origin'] = requestOrigin;
      }
      headers.vary = 'Origin';
    }
    headers['access-control-allow-methods'] = method === 'GET' ? 'OPTIONS, HEAD, GET' : 'OPTIONS, HEAD, POST';
    headers['access-control-allow-headers'] = 'X-Requested-With';
    return headers;
  }
}

export function sendJson(
  reply: FastifyReply,
  cors: Record<string, string>,
  body: Record<string, unknown>,
): FastifyReply {
  const text = Buffer.from(pyJson(body), 'utf8');
  return reply
    .code(200)
    .headers({ ...cors, 'content-type': 'application/json', 'content-length': String(text.length) })
    .send(text);
}

export function sendError(
  reply: FastifyReply,
  cors: Record<string, string>,
  message: string,
  nodeName: string,
): FastifyReply {
  return sendJson(reply, cors, { status: 'error', message, node_name: nodeName });
}
