/** Agent-facing HTTP: eggs by digest, for agents holding a live session token (given in WELCOME). */
import { createReadStream, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AGENT_HTTP_PREFIX, Sha256 } from '@scrapyard/protocol';
import type { AgentRegistry } from '../../registry/registry.js';
import type { EggStore } from '../../storage/egg-store.js';

/** The session a bearer token belongs to (looked up by the token's digest, so timing tells nothing). */
export function sessionForToken(registry: AgentRegistry, header: string | undefined) {
  const m = /^Bearer ([0-9a-f]{64})$/.exec(header ?? '');
  return m ? registry.byToken(m[1]!) : undefined;
}

export async function agentEggRoutes(app: FastifyInstance, opts: { registry: AgentRegistry; eggs: EggStore }) {
  app.get<{ Params: { digest: string } }>(`${AGENT_HTTP_PREFIX}/eggs/:digest`, async (req, reply) => {
    const session = sessionForToken(opts.registry, req.headers.authorization);
    if (!session) {
      return reply
        .code(401)
        .send({ error: { code: 'UNAUTHORIZED', message: 'missing or invalid agent session token' } });
    }
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
