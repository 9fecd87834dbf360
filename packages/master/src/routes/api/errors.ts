/** The one error dialect of our own HTTP surfaces (REST API, agent registration, live tail). */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CatalogueError } from '@scrapyard/protocol';
import { restErrorOf } from './api-error.js';

export function apiErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof CatalogueError) {
    const { status, body } = restErrorOf(err);
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send(body);
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
