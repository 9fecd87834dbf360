/**
 * The Scrapyd-compatible surface: the JSON endpoints, `/`, `/jobs`, and the `/logs/` and `/items/` trees. It is an
 * encapsulated plugin with its own body parser (raw bytes, parsed Twisted-style), error dialect and 404 page,
 * none of which leak into the rest of the server. Only addversion.json takes large bodies (eggs). Each route
 * names the action it needs (endpoints.ts; pages and trees: read), checked by the root access hooks
 * (auth/access.ts) in Scrapyd's dialect.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CatalogueError } from '@scrapyard/protocol';
import { projectsVisible, setNotFoundWithRule } from '../../auth/access.js';
import { scrapydNeeds, type ProjectSource } from '../../auth/access-rules.js';
import { firstText, parseParams, type Params } from '../../scrapyd/form.js';
import { isExpected, messageOf } from './scrapyd-error.js';
import { ENDPOINTS, type EndpointContext } from './endpoints.js';
import { CorsPolicy, sendError, sendJson } from './reply.js';
import { registerPages, type PagesOptions } from './pages.js';

export interface ScrapydPluginOptions extends PagesOptions {
  ctx: EndpointContext;
  nodeName: string;
  /** Largest addversion.json body (upload_limit_bytes). */
  uploadLimitBytes: number;
  /** Largest body of every other path (body_limit_bytes). */
  bodyLimitBytes: number;
  /** cors_origins: `*` or the origins granted cross-origin reads. */
  corsOrigins: string[];
  debug: boolean;
  /** Endpoints switched off in [services]: they answer 404 like any unknown path. */
  disabledServices: string[];
}

/** Bodies up to this much past the limit are read and dropped so the client gets the error instead of a reset. */
const DRAIN_SLACK_BYTES = 64 * 1024 * 1024;

class PayloadTooLargeError extends CatalogueError {
  readonly statusCode = 413;
  constructor(
    readonly limit: number,
    readonly key: 'upload_limit_bytes' | 'body_limit_bytes',
  ) {
    super('PAYLOAD_TOO_LARGE', `request body too large (over ${limit} bytes)`, { limit, key });
  }
}

function readLimited(
  payload: NodeJS.ReadableStream,
  limit: number,
  key: PayloadTooLargeError['key'],
  done: (err: Error | null, body?: Buffer) => void,
) {
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
      finish(new PayloadTooLargeError(limit, key));
      (payload as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    }
  });
  payload.on('end', () =>
    finish(over ? new PayloadTooLargeError(limit, key) : null, over ? undefined : Buffer.concat(chunks)),
  );
  payload.on('error', (e: Error) => finish(e));
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

function rawQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? '' : url.slice(i + 1);
}

export async function scrapydPlugin(app: FastifyInstance, opts: ScrapydPluginOptions): Promise<void> {
  // Bodies are kept as raw bytes: an egg may arrive percent-encoded in a urlencoded form (ScrapydWeb), and
  // Twisted's parser works on bytes, so no parser may turn it into a JS string first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req, payload, done) =>
    req.routeOptions.url === '/addversion.json'
      ? readLimited(payload, opts.uploadLimitBytes, 'upload_limit_bytes', done)
      : readLimited(payload, opts.bodyLimitBytes, 'body_limit_bytes', done),
  );

  // Parsed once per request: the access check reads its `project`, then the endpoint all of them.
  const parsed = new WeakMap<FastifyRequest, Promise<Params>>();
  const paramsOf = (req: FastifyRequest): Promise<Params> => {
    let p = parsed.get(req);
    if (p === undefined) {
      p = parseParams({
        method: req.method,
        rawQuery: rawQuery(req.url),
        contentType: req.headers['content-type'],
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
      });
      parsed.set(req, p);
    }
    return p;
  };
  // Unparsable parameters name no project: the endpoint then answers with Scrapyd's error, acting on nothing.
  const projectParam: ProjectSource = {
    of: 'the project parameter',
    find: (req) =>
      paramsOf(req)
        .then((p) => firstText(p, 'project'))
        .catch(() => undefined),
  };
  const cors = new CorsPolicy(opts.corsOrigins);
  const corsFor = (req: FastifyRequest, method: 'GET' | 'POST') => cors.headers(method, req.headers.origin);

  for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
    if (opts.disabledServices.includes(name)) continue;
    app.route({
      method: [...ALL_METHODS],
      url: `/${name}`,
      exposeHeadRoute: false,
      config: scrapydNeeds(endpoint.action, projectParam),
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const method = req.method;
        const headers = corsFor(req, endpoint.method);
        if (method === 'OPTIONS') {
          return reply
            .code(204)
            .headers({ ...headers, allow: headers['access-control-allow-methods']!, 'content-length': '0' })
            .send();
        }
        const allowed = endpoint.method === 'GET' ? ['GET', 'HEAD'] : ['POST'];
        if (!allowed.includes(method)) {
          return sendError(
            reply,
            headers,
            `UnsupportedMethod: Expected one of [${allowed.map((m) => `b'${m}'`).join(', ')}]`,
            opts.nodeName,
          );
        }
        try {
          const params = await paramsOf(req);
          const fields = await endpoint.handle(params, opts.ctx, projectsVisible(req, 'read'));
          return sendJson(reply, headers, { ...fields, status: 'ok', node_name: opts.nodeName });
        } catch (err) {
          if (!isExpected(err)) req.log.error({ err, endpoint: name }, 'scrapyd endpoint failed');
          return sendError(reply, headers, messageOf(err, opts.debug), opts.nodeName);
        }
      },
    });
  }

  registerPages(app, opts);

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    const name = req.url.split('?')[0]!.slice(1);
    const endpoint = opts.disabledServices.includes(name) ? undefined : ENDPOINTS[name];
    if (err instanceof PayloadTooLargeError) {
      const which = err.key === 'upload_limit_bytes' ? 'the upload limit' : 'the limit';
      const message = `PayloadTooLarge: request body exceeds ${which} of ${err.limit} bytes (${err.key})`;
      if (endpoint) return sendError(reply, corsFor(req, endpoint.method), message, opts.nodeName);
      return reply.code(413).type('text/plain').send(message);
    }
    if (endpoint) return sendError(reply, corsFor(req, endpoint.method), messageOf(err, opts.debug), opts.nodeName);
    req.log.error({ err }, 'request failed');
    return reply
      .code(err.statusCode ?? 500)
      .type('text/plain')
      .send(err.message);
  });

  // Unknown paths are refused like the API to strangers (Scrapyd guards every path).
  setNotFoundWithRule(app, scrapydNeeds('read'), async (_req, reply) => {
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(
        '<html><head><title>404 - No Such Resource</title></head><body><h1>No Such Resource</h1><p>No such child resource.</p></body></html>',
      );
  });
}
