/**
 * Users for browser-session tests. TEMPORARY — FOR THE INTEGRATOR: once the users service (part 3) is merged, make
 * `withUsers` run `scrapyard-master user add NAME --role … --password-stdin` against the data dir instead of
 * writing rows, and drop the temporary password format (packages/master/src/auth/temporary-password-login.ts).
 */
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { writeMaster } from './master-db.js';
import { startMaster, type StartOptions } from './processes.js';

export interface TestUser {
  id: string;
  name: string;
  password: string;
  grants: { role: string; projects: '*' | string[] }[];
}

/** A data dir whose database holds these users (a master started and stopped once to create the schema). */
export async function withUsers(t: TestContext, users: readonly TestUser[], opts: StartOptions = {}): Promise<string> {
  const first = await startMaster(t, { ...opts, args: ['--no-local-agent', ...(opts.args ?? [])] });
  await first.stop();
  const hash = (p: string) => `temporary-sha256$${createHash('sha256').update(p, 'utf8').digest('hex')}`;
  await writeMaster(
    first.dataDir,
    'INSERT INTO users (id, name, password_hash, grants, disabled, created_at, updated_at, password_changed_at) VALUES (?, ?, ?, ?, 0, 1, 1, 1)',
    users.map((u) => [u.id, u.name, hash(u.password), JSON.stringify(u.grants)]),
  );
  return first.dataDir;
}
