/**
 * Browser sessions over REST: `POST /api/v1/session` logs in (name and password → an HttpOnly cookie),
 * `GET /api/v1/session` says who the cookie's holder is (with the CSRF token), `DELETE /api/v1/session` logs out;
 * `/api/v1/sessions` lists and revokes one's own sessions (admins: anyone's, `?user=`), and
 * `/api/v1/users/:id/sessions` lists a user's (admin). Registered outside the REST guard: login is for strangers,
 * and each route checks its caller itself.
 */
import { needs, PUBLIC, SIGNED_IN } from '../../auth/access-rules.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  BrowserSessionList,
  LoginRequest,
  parseOr400,
  SessionWho,
  type BrowserSession,
  type Grant,
} from '@scrapyard/protocol';
import type { Authenticator } from '../../auth/authenticator.js';
import type { BrowserSessions, PasswordLogin } from '../../auth/browser-sessions.js';
import { grantsOf, type Principal } from '../../auth/principal.js';
import { grantsAllow } from '../../auth/roles.js';
import {
  clearedSessionCookie,
  csrfTokenOf,
  sessionCookie,
  sessionSecretIn,
  type CookieAttributes,
} from '../../auth/session-cookie.js';
import { ApiError } from './api-error.js';
import { withCheckedAnswers } from './checked-answers.js';
import { apiErrorHandler } from './errors.js';

export interface SessionRoutesOptions {
  auth: Authenticator;
  sessions: BrowserSessions;
  passwords: PasswordLogin;
  cookie: CookieAttributes;
}

/** A login body is a name and a password: anything larger is refused before it is parsed. */
const LOGIN_BODY_LIMIT = 4_096;
const IdParams = z.object({ id: z.string().min(1).max(64) });
const ListQuery = z.object({ user: z.string().min(1).max(200).optional() }).strict();
const NO_SESSION = 'no browser session: log in with POST /api/v1/session';

export async function sessionRoutes(app: FastifyInstance, o: SessionRoutesOptions): Promise<void> {
  app.setErrorHandler(apiErrorHandler);
  const api = withCheckedAnswers(app);
  const principalOf = async (req: FastifyRequest) =>
    (req.principal ??= await o.auth.identify(req.headers, { address: req.ip }));

  api.post(
    '/session',
    // A login carries its own password; logging in, asking who one is and logging out need no other credential.
    { bodyLimit: LOGIN_BODY_LIMIT, schema: { response: { 201: SessionWho } }, config: PUBLIC },
    async (req, reply) => {
      const login = parseOr400(LoginRequest, req.body ?? {}, 'body');
      // The password check publishes access.login (accepted or refused).
      const user = await o.passwords.verify(login.name, login.password, { address: req.ip });
      // One answer whether or not the user exists.
      if (user === undefined) throw new ApiError('UNAUTHORIZED', 'wrong user name or password');
      const { secret, session } = await o.sessions.create(user, {
        address: req.ip,
        userAgent: String(req.headers['user-agent'] ?? ''),
      });
      return reply
        .code(201)
        .header('set-cookie', sessionCookie(secret, o.cookie))
        .header('cache-control', 'no-store')
        .send(who(user, session, secret));
    },
  );

  api.get('/session', { schema: { response: { 200: SessionWho } }, config: PUBLIC }, async (req, reply) => {
    const p = await principalOf(req);
    const secret = sessionSecretIn(req.headers.cookie);
    const session = p.kind === 'user' && p.sessionId ? await o.sessions.get(p.sessionId, p.sessionId) : undefined;
    if (p.kind !== 'user' || session === undefined || secret === undefined) {
      throw new ApiError('UNAUTHORIZED', NO_SESSION);
    }
    return reply.header('cache-control', 'no-store').send(who(p, session, secret));
  });

  api.delete('/session', { config: PUBLIC }, async (req, reply) => {
    const secret = sessionSecretIn(req.headers.cookie);
    if (secret !== undefined) await o.sessions.logout(secret);
    return reply.code(204).header('set-cookie', clearedSessionCookie(o.cookie)).send();
  });

  // One's own sessions (an admin's: anyone's); the handler decides from the principal.
  const list = { schema: { response: { 200: BrowserSessionList } }, config: SIGNED_IN };
  api.get('/sessions', list, async (req) => {
    const p = await principalOf(req);
    const q = parseOr400(ListQuery, req.query, 'query');
    if (isAdmin(p)) return { sessions: await o.sessions.list(q.user, sessionIdOf(p)) };
    const me = ownerOf(p);
    if (q.user !== undefined && q.user !== me.userId && q.user !== me.name) {
      throw new ApiError('FORBIDDEN', "only an admin may list another user's sessions");
    }
    return { sessions: await o.sessions.list(me.userId, sessionIdOf(p)) };
  });

  api.delete('/sessions/:id', { config: SIGNED_IN }, async (req, reply) => {
    const p = await principalOf(req);
    const { id } = parseOr400(IdParams, req.params, 'path');
    const session = await o.sessions.get(id);
    // Another user's session is as absent as a missing one, unless an admin asks.
    if (session === undefined || (!isAdmin(p) && session.userId !== ownerOf(p).userId)) {
      throw new ApiError('NOT_FOUND', `no session ${id}`);
    }
    if (!(await o.sessions.revoke(id, 'revoked'))) throw new ApiError('NOT_FOUND', `no session ${id}`);
    if (id === sessionIdOf(p)) reply.header('set-cookie', clearedSessionCookie(o.cookie));
    return reply.code(204).send();
  });

  const ofUser = { schema: { response: { 200: BrowserSessionList } }, config: needs('admin') };
  api.get('/users/:id/sessions', ofUser, async (req) => {
    const p = await principalOf(req);
    if (!isAdmin(p)) refuse(p, "list a user's sessions");
    const { id } = parseOr400(IdParams, req.params, 'path');
    return { sessions: await o.sessions.list(id, sessionIdOf(p)) };
  });
}

function who(
  user: { userId: string; name: string; grants: readonly Grant[] },
  session: BrowserSession,
  secret: string,
) {
  return {
    user: { id: user.userId, name: user.name, grants: [...user.grants] },
    session,
    csrfToken: csrfTokenOf(secret),
  };
}

const isAdmin = (p: Principal) => grantsAllow(grantsOf(p), 'admin');
const sessionIdOf = (p: Principal) => (p.kind === 'user' ? p.sessionId : undefined);

/** The user whose own sessions the caller may see: a user (by password or session). */
function ownerOf(p: Principal): { userId: string; name: string } {
  if (p.kind === 'user') return { userId: p.userId, name: p.name };
  return refuse(p, 'list or revoke browser sessions');
}

function refuse(p: Principal, what: string): never {
  if (p.kind === 'anonymous') throw new ApiError('UNAUTHORIZED', `missing or wrong credentials: log in to ${what}`);
  throw new ApiError('FORBIDDEN', `a ${p.kind} may not ${what}`);
}
