/** Agent-facing HTTP: eggs by digest, for agents holding a live session token (given in WELCOME). */
import { createReadStream, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AGENT_HTTP_PREFIX, Sha256 } from '@scrapyard/protocol';
import { NODE_SESSION } from '../../auth/access-rules.js';
import type { EggStore } from '../../storage/egg-store.js';

export async function agentEggRoutes(app: FastifyInstance, opts: { eggs: EggStore }) {
  const url = `${AGENT_HTTP_PREFIX}/eggs/:digest`;
  app.get<{ Params: { digest: string } }>(url, { config: NODE_SESSION }, async (req, reply) => {
    const digest = Sha256.safeParse(req.params.digest);
    if (!digest.success) {
      return reply
        .code(400)
        .send({ error: { code: 'BAD_REQUEST', message: 'digest must be 64 lower-case hex characters' } });
    }
    const path = opts.eggs.pathOf(digest.data);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no egg with digest ${digest.data}` } });
    }
    return reply.type('application/octet-stream').header('content-length', String(size)).send(createReadStream(path));
  });
}
