/**
 * Users for browser-session tests, added as an operator adds them: `scrapyard-master user add NAME --role ROLE
 * [--project P …] --password-stdin` on the master's store, before the master starts.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { runCli } from './agents.js';
import { databaseFor, startMaster, type StartOptions } from './processes.js';

export interface TestUser {
  name: string;
  password: string;
  /** One grant (what `user add` gives). */
  grants: [{ role: string; projects: '*' | string[] }];
}

/** A data dir whose store holds these users (a master started and stopped once to choose the store). */
export async function withUsers(t: TestContext, users: readonly TestUser[], opts: StartOptions = {}): Promise<string> {
  const first = await startMaster(t, { ...opts, args: ['--no-local-agent', ...(opts.args ?? [])] });
  await first.stop();
  const database = databaseFor(first.dataDir);
  for (const u of users) {
    const [{ role, projects }] = u.grants;
    const scope = projects === '*' ? [] : projects.flatMap((p) => ['--project', p]);
    const added = await runCli(
      'master',
      ['user', 'add', u.name, '--role', role, ...scope, '--data-dir', first.dataDir, '--password-stdin'],
      { input: `${u.password}\n`, env: { SCRAPYARD_DATABASE_URL: database ?? '' } },
    );
    assert.equal(added.code, 0, added.all);
  }
  return first.dataDir;
}
