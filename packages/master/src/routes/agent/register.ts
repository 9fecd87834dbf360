/** POST /agent/v1/register: an agent trades a single-use enrollment key for its node credential. */
import type { FastifyInstance } from 'fastify';
import { AGENT_HTTP_PREFIX, RegisterRequest } from '@scrapyard/protocol';
import { ApiError } from '../../services/api-error.js';
import type { NodeAdmin } from '../../services/node-admin.js';
import { parseOr400 } from '../api/validate.js';

export async function agentRegisterRoutes(app: FastifyInstance, o: { admin: NodeAdmin }): Promise<void> {
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(err.toBody());
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: { code: 'BAD_REQUEST', message: err.message } });
    }
    req.log.error({ err }, 'registration failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: err.message } });
  });
  app.post(`${AGENT_HTTP_PREFIX}/register`, { bodyLimit: 16 * 1024 }, async (req) => {
    const body = parseOr400(RegisterRequest, req.body, 'body');
    return o.admin.register(body, req.socket.remoteAddress ?? 'unknown');
  });
}
