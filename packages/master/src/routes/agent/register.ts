/**
 * POST /agent/v1/register: an agent trades a single-use enrollment key for its node credential. Public: the key
 * is its credential (node-admin.ts checks it).
 */
import type { FastifyInstance } from 'fastify';
import { AGENT_HTTP_PREFIX, RegisterRequest } from '@scrapyard/protocol';
import { PUBLIC } from '../../auth/access-rules.js';
import type { NodeAdmin } from '../../auth/node-admin.js';
import { apiErrorHandler } from '../api/errors.js';
import { parseOr400 } from '@scrapyard/protocol';

export async function agentRegisterRoutes(app: FastifyInstance, o: { admin: NodeAdmin }): Promise<void> {
  app.setErrorHandler(apiErrorHandler);
  app.post(`${AGENT_HTTP_PREFIX}/register`, { bodyLimit: 16 * 1024, config: PUBLIC }, async (req) => {
    const body = parseOr400(RegisterRequest, req.body, 'body');
    return o.admin.register(body, req.socket.remoteAddress ?? 'unknown');
  });
}
