/**
 * /api/v1/tokens: create (the secret answered once), list, revoke. Its own plugin with its own guard until the
 * per-route access rules land: any credential holder may reach it (a user creates and revokes their own tokens
 * without being an admin), and the service (auth/api-tokens.ts) decides what each may do. Rules for the route
 * table: POST and GET `public: false` with no action beyond "identified" (the service checks), DELETE the same.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiTokenList, ApiTokenResponse, CreatedApiToken, CreateTokenRequest, parseOr400 } from '@scrapyard/protocol';
import type { ApiTokens } from '../../auth/api-tokens.js';
import type { Authenticator, Principal } from '../../auth/authenticator.js';
import { withCheckedAnswers } from './checked-answers.js';
import { apiErrorHandler } from './errors.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });
/** Who may manage tokens at all: people, tokens and the admins; not nodes, the metrics scraper or strangers. */
const MANAGERS = new Set<Principal['kind']>(['user', 'token', 'scrapyd-user', 'admin']);

export async function tokenRoutes(
  app: FastifyInstance,
  o: { auth: Authenticator; tokens: ApiTokens; bodyLimitBytes: number },
): Promise<void> {
  const principalOf = async (req: FastifyRequest) =>
    (req.principal ??= await o.auth.identify(req.headers, { address: req.ip }));
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await principalOf(req);
    if (MANAGERS.has(p.kind)) return;
    if (p.kind !== 'anonymous') {
      await reply.code(403).send({ error: { code: 'FORBIDDEN', message: `a ${p.kind} may not manage API tokens` } });
      return;
    }
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="Scrapyard"')
      .send({
        error: {
          code: 'UNAUTHORIZED',
          message: 'missing or wrong credentials: a password, a token or the admin token',
        },
      });
  });
  app.setErrorHandler(apiErrorHandler);
  const api = withCheckedAnswers(app);
  const by = (req: FastifyRequest): Principal => req.principal ?? { kind: 'anonymous' };

  api.post(
    '/api/v1/tokens',
    { bodyLimit: o.bodyLimitBytes, schema: { response: { 201: CreatedApiToken } } },
    async (req, reply) =>
      reply.code(201).send(await o.tokens.create(by(req), parseOr400(CreateTokenRequest, req.body ?? {}, 'body'))),
  );
  api.get('/api/v1/tokens', { schema: { response: { 200: ApiTokenList } } }, async (req) => ({
    tokens: await o.tokens.list(by(req)),
  }));
  api.delete('/api/v1/tokens/:id', { schema: { response: { 200: ApiTokenResponse } } }, async (req) => ({
    token: await o.tokens.revoke(by(req), parseOr400(IdParams, req.params, 'path').id),
  }));
}
