/** The one error dialect of our own HTTP surfaces (REST API, agent registration, live tail). */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { CatalogueError } from '@scrapyard/protocol';
import { restErrorOf } from './api-error.js';

export function apiErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof CatalogueError) {
    const { status, body } = restErrorOf(err);
    if (status >= 500) req.log.error({ err }, 'request failed');
    const retry = err.details?.retryAfterSeconds;
    if (typeof retry === 'number') void reply.header('retry-after', String(retry));
    return reply.code(status).send(body);
  }
  if (err instanceof ResponseSerializationError) {
    // Our answer broke its own schema (checked-answers.ts): a bug to fix, never sent as if it were right.
    const route = `${req.method} ${req.routeOptions.url ?? req.url}`;
    const problems = err.cause.issues.map((i) => `${['response', ...i.path].join('.')}: ${i.message}`);
    req.log.error({ route, problems }, `answer of ${route} does not match its schema`);
    const message = `the answer of ${route} does not match its schema (a bug: see the master's log)`;
    return reply.code(500).send({ error: { code: 'INTERNAL', message } });
  }
  const status = (err as FastifyError).statusCode;
  if (status === 413) {
    const message = `request body too large: this route takes at most ${req.routeOptions.bodyLimit} bytes`;
    return reply.code(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message } });
  }
  if (status && status < 500) {
    // fastify's own: malformed JSON, unsupported content type
    return reply.code(status).send({ error: { code: 'BAD_REQUEST', message: err.message } });
  }
  req.log.error({ err }, 'request failed');
  return reply.code(500).send({ error: { code: 'INTERNAL', message: err.message } });
}
