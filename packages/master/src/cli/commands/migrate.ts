/**
 * `scrapyard-master migrate`: applies pending schema migrations to the configured store and exits. For
 * deployments where the master runs with `auto_migrate = off` (its database role may not run DDL): an operator
 * with the owner's role migrates once per upgrade, then starts the masters.
 */
import { ConfigError } from '../../config-load.js';
import type { MasterConfig } from '../../config.js';
import { migrateStore } from '../../db/database.js';

export async function runMigrateCommand(loadConfig: () => MasterConfig): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`scrapyard-master migrate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const r = await migrateStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    process.stdout.write(
      r.applied.length > 0
        ? `${r.where}: applied ${r.applied.join(', ')}\n`
        : `${r.where}: schema is current (${r.current.length} migrations applied, none pending)\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`scrapyard-master migrate: ${(e as Error).message}\n`);
    return 1;
  }
}
