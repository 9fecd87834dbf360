/**
 * TEMPORARY — FOR THE INTEGRATOR: replace with the users service of part 3 (auth/users.ts: scrypt passwords and the
 * login limiter) at merge, then delete this file and test/helpers/session-users.ts's direct row writes.
 *
 * Stands in for the real password check so browser sessions can be built and tested before users exist: it reads
 * the `users` table and accepts only hashes of the form `temporary-sha256$<hex>`, which the real users service
 * never writes (so if this is left in by mistake, no real user can log in through it).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Grants } from '@scrapyard/protocol';
import type { Db } from '../db/database.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { PasswordLogin, SessionUser } from './browser-sessions.js';

const PREFIX = 'temporary-sha256$';

/** The stored form of a password for this stand-in (tests write it into the users table). */
export function temporaryPasswordHash(password: string): string {
  return PREFIX + createHash('sha256').update(password, 'utf8').digest('hex');
}

export function temporaryPasswordLogin(db: Db, events: DomainEvents): PasswordLogin {
  return {
    async verify(name, password, ctx) {
      const user = await check(db, name, password);
      events.publish({
        type: 'access.login',
        ok: user !== undefined,
        username: name.slice(0, 200),
        address: ctx.address,
        via: 'session',
        reason: user === undefined ? 'wrong user name or password' : null,
      });
      return user;
    },
  };
}

async function check(db: Db, name: string, password: string): Promise<SessionUser | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'name', 'password_hash', 'grants', 'disabled'])
    .where('name', '=', name)
    .executeTakeFirst();
  const given = Buffer.from(temporaryPasswordHash(password));
  const stored = Buffer.from(row?.password_hash ?? '');
  const match = stored.length === given.length && timingSafeEqual(stored, given);
  if (row === undefined || !match || row.disabled !== 0) return undefined;
  const grants = Grants.safeParse(JSON.parse(row.grants));
  return grants.success ? { userId: row.id, name: row.name, grants: grants.data } : undefined;
}
