/**
 * The audit log: the writer that follows the audited domain events (subscribed before anything publishes),
 * its retention, and the pages the REST API reads.
 */
import type { Logger } from 'pino';
import type { AuditQuery } from '@scrapyard/protocol';
import { auditPage } from '../audit/query.js';
import { AuditRetention } from '../audit/retention.js';
import { AuditWriter } from '../audit/writer.js';
import type { MasterConfig } from '../config.js';
import { createAuditRepo } from '../db/repos/audit.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Storage } from './storage.js';

export interface AuditDeps {
  config: MasterConfig;
  logger: Logger;
  now: () => number;
  storage: Storage;
  events: DomainEvents;
}

export function createAudit({ config, logger, now, storage, events }: AuditDeps) {
  const repo = createAuditRepo(storage.db);
  const writer = new AuditWriter({ repo, events, logger, now });
  writer.start();
  const retention = new AuditRetention({
    repo,
    retentionDays: config.auditRetentionDays,
    maxEntries: config.auditMaxEntries,
    now,
    logger,
  });
  retention.start();
  return {
    /** A page of entries, newest first (GET /api/v1/audit). */
    page: (q: AuditQuery) => auditPage(repo, q),
    /** After HTTP stopped, before the database closes: what is queued is written. */
    async stop(): Promise<void> {
      await retention.stop();
      await writer.close();
    },
  };
}
export type Audit = ReturnType<typeof createAudit>;
