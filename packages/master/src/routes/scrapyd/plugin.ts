/**
 * The Scrapyd-compatible surface: the JSON endpoints, `/`, `/jobs`, and the `/logs/` and `/items/` trees. It is an
 * encapsulated plugin with its own body parser (raw bytes, parsed Twisted-style), auth hook, error dialect and
 * 404 page, none of which leak into the rest of the server.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createBasicAuth, UNAUTHORIZED_REPLY } from '../../scrapyd/basic-auth.js';
import { FormError, ParamError, parseParams } from '../../scrapyd/form.js';
import { BadEggError } from '../../scrapyd/egg-inspect.js';
import { ScrapydError } from '../../services/scrapyd-error.js';
import { ENDPOINTS, type EndpointContext } from './endpoints.js';
import { corsHeaders, sendError, sendJson } from './reply.js';
import { registerPages, type PagesOptions } from './pages.js';

export interface ScrapydPluginOptions extends PagesOptions {
  ctx: EndpointContext;
  nodeName: string;
  username: string;
  password: string;
  uploadLimitBytes: number;
  debug: boolean;
  /** Endpoints switched off in [services]: they answer 404 like any unknown path. */
  disabledServices: string[];
}

/** Bodies up to this much past the limit are read and dropped so the client gets the error instead of a reset. */
const DRAIN_SLACK_BYTES = 64 * 1024 * 1024;

class PayloadTooLargeError extends Error {
  readonly code = 'FST_ERR_CTP_BODY_TOO_LARGE';
  readonly statusCode = 413;
}

function readLimited(payload: NodeJS.ReadableStream, limit: number, done: (err: Error | null, body?: Buffer) => void) {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  let finished = false;
  const finish = (err: Error | null, body?: Buffer) => {
    if (!finished) {
      finished = true;
      done(err, body);
    }
  };
  payload.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) return void chunks.push(chunk);
    if (!over) {
      over = true;
      chunks.length = 0;
    }
    if (size > limit + DRAIN_SLACK_BYTES) {
      finish(new PayloadTooLargeError('request body too large'));
      (payload as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    }
  });
  payload.on('end', () =>
    finish(over ? new PayloadTooLargeError('request body too large') : null, over ? undefined : Buffer.concat(chunks)),
  );
  payload.on('error', (e: Error) => finish(e));
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

function rawQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? '' : url.slice(i + 1);
}

/** The client-visible message for any failure (docs/scrapyd-api.md §1.4: `<ExceptionClassName>: <text>` for the unexpected). */
export function messageOf(err: unknown, debug: boolean): string {
  if (err instanceof ScrapydError || err instanceof ParamError || err instanceof BadEggError) return err.message;
  if (err instanceof FormError) return `FormError: ${err.message}`;
  const e = err instanceof Error ? err : new Error(String(err));
  return `${e.name}: ${e.message}${debug && e.stack ? `\n${e.stack}` : ''}`;
}

export async function scrapydPlugin(app: FastifyInstance, opts: ScrapydPluginOptions): Promise<void> {
  // Bodies are kept as raw bytes: an egg may arrive percent-encoded in a urlencoded form (ScrapydWeb), and
  // Twisted's parser works on bytes, so no parser may turn it into a JS string first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => readLimited(payload, opts.uploadLimitBytes, done));

  const authorized =
    opts.username !== '' && opts.password !== '' ? createBasicAuth(opts.username, opts.password) : null;
  const denied = (req: FastifyRequest) => authorized !== null && !authorized(req.headers.authorization);
  app.addHook('onRequest', async (req, reply) => {
    if (denied(req)) return reply.code(401).headers(UNAUTHORIZED_REPLY.headers).send(UNAUTHORIZED_REPLY.body);
    return undefined;
  });

  for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
    if (opts.disabledServices.includes(name)) continue;
    app.route({
      method: [...ALL_METHODS],
      url: `/${name}`,
      exposeHeadRoute: false,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const method = req.method;
        if (method === 'OPTIONS') {
          const cors = corsHeaders(endpoint.method);
          return reply
            .code(204)
            .headers({ ...cors, allow: cors['access-control-allow-methods']!, 'content-length': '0' })
            .send();
        }
        const allowed = endpoint.method === 'GET' ? ['GET', 'HEAD'] : ['POST'];
        if (!allowed.includes(method)) {
          return sendError(
            reply,
            endpoint.method,
            `UnsupportedMethod: Expected one of [${allowed.map((m) => `b'${m}'`).join(', ')}]`,
            opts.nodeName,
          );
        }
        try {
          const params = await parseParams({
            method,
            rawQuery: rawQuery(req.url),
            contentType: req.headers['content-type'],
            body: Buffer.isBuffer(req.body) ? req.body : undefined,
          });
          const fields = await endpoint.handle(params, opts.ctx);
          return sendJson(reply, endpoint.method, { ...fields, status: 'ok', node_name: opts.nodeName });
        } catch (err) {
          const e: unknown = err;
          if (!(
            e instanceof ScrapydError ||
            e instanceof ParamError ||
            e instanceof BadEggError ||
            e instanceof FormError
          )) {
            req.log.error({ err: e, endpoint: name }, 'scrapyd endpoint failed');
          }
          return sendError(reply, endpoint.method, messageOf(e, opts.debug), opts.nodeName);
        }
      },
    });
  }

  registerPages(app, opts);

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    const name = req.url.split('?')[0]!.slice(1);
    const endpoint = opts.disabledServices.includes(name) ? undefined : ENDPOINTS[name];
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const message = `PayloadTooLarge: request body exceeds the upload limit of ${opts.uploadLimitBytes} bytes (upload_limit_bytes)`;
      if (endpoint) return sendError(reply, endpoint.method, message, opts.nodeName);
      return reply.code(413).type('text/plain').send(message);
    }
    if (endpoint) return sendError(reply, endpoint.method, messageOf(err, opts.debug), opts.nodeName);
    req.log.error({ err }, 'request failed');
    return reply
      .code(err.statusCode ?? 500)
      .type('text/plain')
      .send(err.message);
  });

  app.setNotFoundHandler((req, reply) => {
    if (denied(req)) return reply.code(401).headers(UNAUTHORIZED_REPLY.headers).send(UNAUTHORIZED_REPLY.body);
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(
        '<html><head><title>404 - No Such Resource</title></head><body><h1>No Such Resource</h1><p>No such child resource.</p></body></html>',
      );
  });
}
