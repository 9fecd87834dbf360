/** A token store on a real database (both stores), with users written straight into their table. */
import type { TestContext } from 'node:test';
import pino from 'pino';
import type { Grant } from '@scrapyard/protocol';
import { createApiTokensRepo } from '../db/repos/api-tokens.js';
import type { Db } from '../db/database.js';
import { openTestDatabase, type Store } from '../db/stores.test-support.js';
import { DomainEvents } from '../events/domain-events.js';
import { ApiTokenResolver } from './api-token-resolver.js';
import { ApiTokens } from './api-tokens.js';
import type { Principal } from './principal.js';
import { TokenLastUse } from './token-last-use.js';

export async function tokenWorld(t: TestContext, store: Store) {
  const db = await openTestDatabase(t, store);
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  const logger = pino({ level: 'silent' });
  const events = new DomainEvents({ logger, now });
  const real = createApiTokensRepo(db);
  const calls = { byDigest: 0, touch: [] as string[][] };
  // The real repo, counted: how many lookups and last-use writes a run of requests costs.
  const repo = {
    ...real,
    byDigest: (d: string) => {
      calls.byDigest++;
      return real.byDigest(d);
    },
    touch: (ids: readonly string[], at: number) => {
      calls.touch.push([...ids]);
      return real.touch(ids, at);
    },
  };
  const lastUse = new TokenLastUse({ repo, now, logger, everyMs: 3_600_000 });
  t.after(() => lastUse.close());
  const tokens = new ApiTokens({ repo, events, now });
  const resolver = new ApiTokenResolver({ repo, events, lastUse, now });
  return { db, clock, events, repo: real, calls, lastUse, tokens, resolver };
}

/** A user row as the users service writes it (its password hash is irrelevant to tokens). */
export async function addUser(db: Db, id: string, grants: Grant[]): Promise<Principal & { kind: 'user' }> {
  await db
    .insertInto('users')
    .values({
      id,
      name: id,
      password_hash: 'unused',
      grants: JSON.stringify(grants),
      disabled: 0,
      created_at: 1,
      updated_at: 1,
      password_changed_at: 1,
    })
    .execute();
  return { kind: 'user', userId: id, name: id, grants };
}

export const ADMIN: Principal = { kind: 'admin', via: 'admin-token' };
