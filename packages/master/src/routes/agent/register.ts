/** POST /agent/v1/register: an agent trades a single-use enrollment key for its node credential. */
import type { FastifyInstance } from 'fastify';
import { AGENT_HTTP_PREFIX, RegisterRequest } from '@scrapyard/protocol';
import type { NodeAdmin } from '../../services/node-admin.js';
import { apiErrorHandler } from '../api/errors.js';
import { parseOr400 } from '../../services/api-error.js';

export async function agentRegisterRoutes(app: FastifyInstance, o: { admin: NodeAdmin }): Promise<void> {
  app.setErrorHandler(apiErrorHandler);
  app.post(`${AGENT_HTTP_PREFIX}/register`, { bodyLimit: 16 * 1024 }, async (req) => {
    const body = parseOr400(RegisterRequest, req.body, 'body');
    return o.admin.register(body, req.socket.remoteAddress ?? 'unknown');
  });
}
