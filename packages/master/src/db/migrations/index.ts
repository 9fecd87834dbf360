/** In-code migration provider: migrations are imported in order, so the built `dist` needs no folder scanning. */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-init.js';
import * as m0002 from './0002-cluster.js';
import * as m0003 from './0003-attempts.js';
import * as m0004 from './0004-schedules.js';
import * as m0005 from './0005-run-limits.js';
import * as m0006 from './0006-live-stats.js';
import * as m0007 from './0007-deliveries.js';
import * as m0008 from './0008-alerts.js';
import * as m0009 from './0009-durable-consumers.js';
import * as m0010 from './0010-users.js';
import * as m0011 from './0011-job-list.js';

export const migrationProvider: MigrationProvider = {
  getMigrations: () =>
    Promise.resolve<Record<string, Migration>>({
      '0001-init': m0001,
      '0002-cluster': m0002,
      '0003-attempts': m0003,
      '0004-schedules': m0004,
      '0005-run-limits': m0005,
      '0006-live-stats': m0006,
      '0007-deliveries': m0007,
      '0008-alerts': m0008,
      '0009-durable-consumers': m0009,
      '0010-users': m0010,
      '0011-job-list': m0011,
    }),
};
