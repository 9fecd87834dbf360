/**
 * Access to the REST API: the Scrapyd basic-auth credentials when they are configured. Without them, reads stay
 * open (as the Scrapyd API is), but node administration (which hands out credentials) is refused to anyone who
 * is not on this machine, so a master bound to 0.0.0.0 without auth doesn't give away the cluster.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createBasicAuth } from '../../scrapyd/basic-auth.js';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function createApiGuard(username: string, password: string) {
  const check = username !== '' && password !== '' ? createBasicAuth(username, password) : null;
  return {
    /** onRequest hook for every API route. */
    async authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (check && !check(req.headers.authorization)) {
        await reply
          .code(401)
          .header('www-authenticate', 'basic realm="Scrapyard"')
          .send({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong credentials (HTTP basic auth)' } });
      }
    },
    /** preHandler for administrative routes. */
    async admin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (!check && !LOOPBACK.test(req.socket.remoteAddress ?? '')) {
        await reply.code(403).send({
          error: {
            code: 'FORBIDDEN',
            message: 'node administration needs basic auth (username/password) unless called from the master host',
          },
        });
      }
    },
  };
}
