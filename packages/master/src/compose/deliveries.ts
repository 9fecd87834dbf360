/**
 * Outgoing deliveries: the durable outbox and its worker, webhooks fed by job events (and items), notification
 * channels, and the notifier the alert engine sends through. Secrets are sealed with the master's secrets key.
 */
import type { Logger } from 'pino';
import { loadSecretBox } from '../auth/secret-box.js';
import type { MasterConfig } from '../config.js';
import { createConsumerMarks } from '../db/repos/consumer-marks.js';
import { createDeliveriesRepo } from '../db/repos/deliveries.js';
import { createJobHistoryRepo } from '../db/repos/job-history.js';
import { createAlertNotifier } from '../deliveries/alert-notifier.js';
import { ChannelService } from '../deliveries/channel-service.js';
import { ItemBatches } from '../deliveries/item-batches.js';
import { JobWebhooks } from '../deliveries/job-webhooks.js';
import { masterBaseUrl } from '../deliveries/links.js';
import { OutboundPolicy } from '../deliveries/outbound-policy.js';
import { OutboxWorker } from '../deliveries/outbox-worker.js';
import { TargetCatalog } from '../deliveries/targets.js';
import { WebhookService } from '../deliveries/webhook-service.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Storage } from './storage.js';

export interface DeliveriesDeps {
  config: MasterConfig;
  logger: Logger;
  now: () => number;
  storage: Storage;
  events: DomainEvents;
}

export async function createDeliveries({ config, logger, now, storage, events }: DeliveriesDeps) {
  const box = loadSecretBox({ secretsKey: config.secretsKey, dataDir: config.dataDir, logger });
  const repo = createDeliveriesRepo(storage.db);
  const targets = new TargetCatalog(repo);
  await targets.reload();
  // The port is known once the server listens (port 0 picks one): links are built when sent, from the real one.
  let listeningPort = config.httpPort;
  const baseUrl = () => masterBaseUrl({ ...config, httpPort: listeningPort, tls: config.tlsCert !== '' });
  // One policy for saving (refuses what can be known without DNS) and for connecting (on resolved addresses).
  const policy = new OutboundPolicy(config.outboundAllowedHosts);
  const worker = new OutboxWorker({
    repo,
    targets,
    events,
    send: {
      box,
      policy,
      timeoutMs: config.outboundTimeoutSeconds * 1000,
      files: storage.files,
      now,
    },
    logger,
    now,
    maxAttempts: config.deliveryMaxAttempts,
    toKeep: config.deliveriesToKeep,
  });
  const wake = () => worker.wake();
  const consumed = { events, marks: createConsumerMarks(storage.db), history: createJobHistoryRepo(storage.db) };
  const items = new ItemBatches({
    repo,
    jobs: storage.jobs,
    targets,
    ...consumed,
    files: storage.files,
    now,
    logger,
    wake,
  });
  const jobHooks = new JobWebhooks({ repo, targets, ...consumed, baseUrl, now, logger, wake });
  const common = { repo, targets, box, now, wake, policy, events };
  return {
    /** The master's address for links in messages (public_url, else where it listens). */
    baseUrl,
    /** Called once the server listens. */
    listeningOn(port: number): void {
      listeningPort = port;
    },
    webhooks: new WebhookService(common),
    channels: new ChannelService(common),
    notifier: createAlertNotifier({ repo, targets, now, wake }),
    async start(): Promise<void> {
      await items.start();
      await jobHooks.start();
      worker.start();
    },
    async stop(): Promise<void> {
      await jobHooks.stop();
      await items.stop();
      await worker.stop();
    },
  };
}
export type Deliveries = Awaited<ReturnType<typeof createDeliveries>>;
