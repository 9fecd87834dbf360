/** In-code migration provider: migrations are imported in order, so the built `dist` needs no folder scanning. */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-init.js';
import * as m0002 from './0002-cluster.js';

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve<Record<string, Migration>>({ '0001-init': m0001, '0002-cluster': m0002 }),
};
