/**
 * Users wired together: the hasher (bounded scrypt), the login limiter, the login side (verified credentials, the
 * basic-auth resolver, `hasUsers`) and the service the REST API calls. http-surfaces.ts hands the resolver and
 * `hasUsers` to the Authenticator, and the service to the API.
 */
import type { Logger } from 'pino';
import type { UsersRepo } from '../db/repos/users.js';
import type { DomainEvents } from '../events/domain-events.js';
import { LoginLimiter } from './login-limiter.js';
import { PasswordHasher, type ScryptCost } from './passwords.js';
import { UserLogins } from './user-logins.js';
import { UserService } from './users.js';

export interface UserAccessOptions {
  repo: UsersRepo;
  events: DomainEvents;
  logger: Logger;
  now: () => number;
  projectExists: (project: string) => Promise<boolean>;
  /** login_max_failures, login_max_failures_per_address, login_window_seconds. */
  limits: { maxPerUser: number; maxPerAddress: number; windowSeconds: number };
  /** Tests only: a cheaper scrypt. */
  cost?: ScryptCost;
}

export async function openUserAccess(o: UserAccessOptions) {
  const hasher = new PasswordHasher(o.cost ? { cost: o.cost } : {});
  const limiter = new LoginLimiter({
    maxPerUser: o.limits.maxPerUser,
    maxPerAddress: o.limits.maxPerAddress,
    windowMs: o.limits.windowSeconds * 1000,
    now: o.now,
  });
  const logins = new UserLogins({ repo: o.repo, hasher, limiter, events: o.events, logger: o.logger, now: o.now });
  await logins.start();
  const service = new UserService({
    repo: o.repo,
    hasher,
    events: o.events,
    now: o.now,
    projectExists: o.projectExists,
    passwordMatches: (name, password, ctx) => logins.passwordMatches(name, password, ctx),
  });
  return { service, logins, resolver: logins.resolver, hasUsers: logins.hasUsers };
}
export type UserAccess = Awaited<ReturnType<typeof openUserAccess>>;
