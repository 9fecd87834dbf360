/**
 * /api/v1/tokens: create (the secret answered once), list, revoke. Any signed-in person or admin may reach it (a
 * user creates and revokes their own tokens without being an admin); the service (auth/api-tokens.ts) decides
 * what each may do.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiTokenList, ApiTokenResponse, CreatedApiToken, CreateTokenRequest, parseOr400 } from '@scrapyard/protocol';
import { SIGNED_IN } from '../../auth/access-rules.js';
import type { ApiTokens } from '../../auth/api-tokens.js';
import type { Principal } from '../../auth/authenticator.js';
import { ApiError } from './api-error.js';
import { withCheckedAnswers } from './checked-answers.js';
import { apiErrorHandler } from './errors.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });
/** Who may manage tokens at all: people, tokens and the admins; not nodes nor the metrics scraper. */
const MANAGERS = new Set<Principal['kind']>(['user', 'token', 'scrapyd-user', 'admin']);

export async function tokenRoutes(
  app: FastifyInstance,
  o: { tokens: ApiTokens; bodyLimitBytes: number },
): Promise<void> {
  app.setErrorHandler(apiErrorHandler);
  const api = withCheckedAnswers(app);
  const by = (req: FastifyRequest): Principal => {
    const p = req.principal ?? { kind: 'anonymous' as const };
    if (!MANAGERS.has(p.kind)) throw new ApiError('FORBIDDEN', `a ${p.kind} may not manage API tokens`);
    return p;
  };

  const create = { bodyLimit: o.bodyLimitBytes, schema: { response: { 201: CreatedApiToken } }, config: SIGNED_IN };
  api.post('/api/v1/tokens', create, async (req, reply) =>
    reply.code(201).send(await o.tokens.create(by(req), parseOr400(CreateTokenRequest, req.body ?? {}, 'body'))),
  );
  api.get('/api/v1/tokens', { schema: { response: { 200: ApiTokenList } }, config: SIGNED_IN }, async (req) => ({
    tokens: await o.tokens.list(by(req)),
  }));
  const revoke = { schema: { response: { 200: ApiTokenResponse } }, config: SIGNED_IN };
  api.delete('/api/v1/tokens/:id', revoke, async (req) => ({
    token: await o.tokens.revoke(by(req), parseOr400(IdParams, req.params, 'path').id),
  }));
}
