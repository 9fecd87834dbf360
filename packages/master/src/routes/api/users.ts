/**
 * /api/v1/users: list, add, show, set a password, grant, revoke, disable, enable, delete (admin), and
 * `POST /users/me/password`, where a signed-in user changes their own password with the old one (the handler
 * checks who calls: only a user, by password or session, has a password to change).
 */
import { z } from 'zod';
import {
  ChangeOwnPasswordRequest,
  CreateUserRequest,
  GrantRequest,
  RevokeRequest,
  SetPasswordRequest,
  UserList,
  UserResponse,
  parseOr400,
} from '@scrapyard/protocol';
import { needs, SIGNED_IN } from '../../auth/access-rules.js';
import type { UserService } from '../../auth/users.js';
import { ApiError } from './api-error.js';
import type { CheckedApp } from './checked-answers.js';

/** A user's id (`usr_…`) or name. */
const UserParams = z.object({ id: z.string().min(1).max(200) });
const ADMIN = needs('admin');
const one = { schema: { response: { 200: UserResponse } }, config: ADMIN };

export function userRoutes(app: CheckedApp, o: { users: UserService }): void {
  const ref = (params: unknown) => parseOr400(UserParams, params, 'path').id;
  const u = o.users;
  app.get('/users', { schema: { response: { 200: UserList } }, config: ADMIN }, async () => u.list());
  app.post('/users', { schema: { response: { 201: UserResponse } }, config: ADMIN }, async (req, reply) =>
    reply.code(201).send(await u.create(parseOr400(CreateUserRequest, req.body, 'body'))),
  );
  const self = { schema: { response: { 200: UserResponse } }, config: SIGNED_IN };
  app.post('/users/me/password', self, async (req) => {
    const p = req.principal;
    if (p?.kind !== 'user') {
      throw new ApiError('FORBIDDEN', 'only a user signed in with their password has a password to change here');
    }
    const b = parseOr400(ChangeOwnPasswordRequest, req.body, 'body');
    return u.changeOwnPassword(p.userId, b.oldPassword, b.password, { address: req.ip });
  });
  app.get('/users/:id', one, async (req) => ({ user: await u.get(ref(req.params)), warnings: [] }));
  app.post('/users/:id/password', one, async (req) =>
    u.setPassword(ref(req.params), parseOr400(SetPasswordRequest, req.body, 'body').password),
  );
  app.post('/users/:id/grant', one, async (req) =>
    u.grant(ref(req.params), parseOr400(GrantRequest, req.body, 'body')),
  );
  app.post('/users/:id/revoke', one, async (req) =>
    u.revoke(ref(req.params), parseOr400(RevokeRequest, req.body, 'body')),
  );
  app.post('/users/:id/disable', one, async (req) => u.setDisabled(ref(req.params), true));
  app.post('/users/:id/enable', one, async (req) => u.setDisabled(ref(req.params), false));
  app.delete('/users/:id', { config: ADMIN }, async (req, reply) => {
    await u.delete(ref(req.params));
    return reply.code(204).send();
  });
}
