/**
 * Alerts (docs/alerts.md): the rules and their alerts in the store, the engine that evaluates them on domain events
 * and on a timer, and the service the REST API and the CLI manage them through. Notices leave through the
 * deliveries outbox.
 */
import type { Logger } from 'pino';
import { AlertEngine } from '../alerts/engine.js';
import { AlertRuleService } from '../alerts/rule-service.js';
import type { MasterConfig } from '../config.js';
import { createAlertsRepo } from '../db/repos/alerts.js';
import { createConsumerMarks } from '../db/repos/consumer-marks.js';
import { createJobHistoryRepo } from '../db/repos/job-history.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Cluster } from './cluster.js';
import type { Deliveries } from './deliveries.js';
import type { Storage } from './storage.js';

export interface AlertsDeps {
  config: MasterConfig;
  logger: Logger;
  now: () => number;
  storage: Storage;
  events: DomainEvents;
  cluster: Cluster;
  deliveries: Deliveries;
}

export function createAlerts({ config, logger, now, storage, events, cluster, deliveries }: AlertsDeps) {
  const repo = createAlertsRepo(storage.db);
  const engine = new AlertEngine({
    repo,
    marks: createConsumerMarks(storage.db),
    history: createJobHistoryRepo(storage.db),
    notifier: deliveries.notifier,
    events,
    stats: storage.jobStats,
    nodes: () => cluster.nodeAdmin.list(),
    baseUrl: deliveries.baseUrl,
    now,
    logger,
    checkMs: config.alertCheckSeconds * 1000,
    startupGraceMs: config.alertStartupGraceSeconds * 1000,
    maxOpenPerRule: config.maxOpenAlertsPerRule,
  });
  return {
    engine,
    service: new AlertRuleService({ repo, notifier: deliveries.notifier, listener: engine, now, events }),
    start: () => engine.start(),
    stop: () => engine.stop(),
  };
}
export type Alerts = ReturnType<typeof createAlerts>;
