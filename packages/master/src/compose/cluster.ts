/**
 * The cluster side: node credentials and administration, what agents report (applied through the job core),
 * egg distribution, and the WebSocket gateway agents dial.
 */
import type { Logger } from 'pino';
import type { MasterConfig } from '../config.js';
import type { DomainEvents } from '../events/domain-events.js';
import { WsGateway } from '../gateway/ws-gateway.js';
import { createAgentEventHandlers } from '../jobs/agent-events.js';
import { LiveStats } from '../jobs/live-stats.js';
import { NodeCredentials } from '../auth/node-auth.js';
import type { AgentRegistry } from '../registry/registry.js';
import { EggDistribution } from '../projects/egg-distribution.js';
import { NodeAdmin } from '../auth/node-admin.js';
import type { JobCore } from './job-core.js';
import type { Storage } from './storage.js';

export interface ClusterDeps {
  config: MasterConfig;
  logger: Logger;
  now: () => number;
  storage: Storage;
  events: DomainEvents;
  registry: AgentRegistry;
  core: JobCore;
}

export async function createCluster({ config, logger, now, storage: s, events, registry, core }: ClusterDeps) {
  const nodeKeys = new NodeCredentials(config.temporaryNodes ? config.temporaryNodeSecret : null);
  const nodeAdmin = new NodeAdmin({
    repo: s.nodes,
    creds: nodeKeys,
    registry,
    latestHost: (id) => s.metrics.latestHost(id),
    now,
    logger,
    events,
  });
  await nodeAdmin.start();
  events.on('node.offline', (e) => {
    void nodeAdmin.onOffline(e).catch((err: unknown) => logger.warn({ err }, 'recording last seen failed'));
  });
  // Keeps agents' egg caches in step with versions; it works from the node and version events alone.
  new EggDistribution({ projects: s.projects, registry, policies: s.policies, events, logger });
  const liveStats = new LiveStats({ repo: s.jobStats, events, logger, now });
  const handlers = createAgentEventHandlers({
    jobs: core.jobs,
    runningOnNode: (nodeId) => s.jobs.runningOnNode(nodeId),
    sink: s.sink,
    files: s.files,
    events,
    maxJobOutputBytes: config.maxJobOutputBytes,
    logger,
    now,
    onMetrics: (session, hb) => {
      if (hb.host) {
        s.metrics.recordHost(session.nodeId, hb.host);
        events.publish({ type: 'node.host', nodeId: session.nodeId, sample: hb.host });
        session.load = hb.host.load1 / Math.max(1, hb.host.cpus);
      }
      if (hb.jobs && hb.jobs.length > 0) s.metrics.recordJobs(hb.at, hb.jobs);
    },
    onStats: (row, nodeId, msg) => liveStats.record(row, nodeId, msg),
  });
  const gateway = new WsGateway({
    logger,
    registry,
    auth: nodeKeys,
    handlers,
    heartbeatTimeoutMs: config.heartbeatTimeout * 1000,
    maxPendingHandshakes: config.maxPendingHandshakes,
    onAuthenticated: (session, o) => nodeAdmin.onAuthenticated(session, o),
  });
  return { nodeKeys, nodeAdmin, gateway };
}
export type Cluster = Awaited<ReturnType<typeof createCluster>>;
