/**
 * /api/v1/users: people who sign in with a name and a password, and the roles they are granted (http/access.ts).
 * Passwords cross the wire only in requests, never in an answer.
 */
import { z } from 'zod';
import { EpochMs } from '../primitives.js';
import { GRANTS_MAX, ProjectScope, UserRole } from './access.js';

/** Shortest password accepted (the master's rule also refuses the user's name and one repeated character). */
export const PASSWORD_MIN_LENGTH = 12;
/** Longest password accepted: longer ones are refused before any hashing. */
export const PASSWORD_MAX_LENGTH = 1024;

/**
 * A sign-in name: letters, digits and `. _ @ + -`, starting with a letter or digit (basic auth can't carry `:`).
 * `me` is the path of one's own account (`/users/me/password`).
 */
export const UserName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]*$/, 'letters, digits and . _ @ + - only, starting with a letter or digit')
  .refine((v) => v !== 'me', '"me" is reserved');
export type UserName = z.infer<typeof UserName>;

/** A password as sent; its strength is the master's rule (WEAK_PASSWORD names it). */
export const Password = z.string().max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`);

/** What a user may be granted: the user roles (no `metrics`: that is a token's). */
export const UserGrant = z.object({ role: UserRole, projects: ProjectScope }).strict();
export type UserGrant = z.infer<typeof UserGrant>;
export const UserGrants = z.array(UserGrant).max(GRANTS_MAX);

export const User = z.object({
  id: z.string(),
  name: z.string(),
  grants: z.array(UserGrant),
  disabled: z.boolean(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  passwordChangedAt: EpochMs,
});
export type User = z.infer<typeof User>;

export const UserList = z.object({ users: z.array(User) });
export type UserList = z.infer<typeof UserList>;

/** A user, and what the change did not stop but you should know (a grant on a project not deployed yet). */
export const UserResponse = z.object({ user: User, warnings: z.array(z.string()) });
export type UserResponse = z.infer<typeof UserResponse>;

export const CreateUserRequest = z
  .object({ name: UserName, password: Password, grants: UserGrants.default([]) })
  .strict();
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

/** An admin sets someone's password. */
export const SetPasswordRequest = z.object({ password: Password }).strict();
export type SetPasswordRequest = z.infer<typeof SetPasswordRequest>;

/** A user changes their own password, proving the current one. */
export const ChangeOwnPasswordRequest = z.object({ oldPassword: Password, password: Password }).strict();
export type ChangeOwnPasswordRequest = z.infer<typeof ChangeOwnPasswordRequest>;

/** Adds a role on projects (merged with a grant of the same role). */
export const GrantRequest = UserGrant;
export type GrantRequest = z.infer<typeof GrantRequest>;

/** Takes a role away: on the projects named, or everywhere when none are. */
export const RevokeRequest = z.object({ role: UserRole, projects: ProjectScope.optional() }).strict();
export type RevokeRequest = z.infer<typeof RevokeRequest>;
