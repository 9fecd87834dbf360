/**
 * Starts the master and, in standalone mode, an embedded agent: the agent package's own createAgent(), dialling
 * the master's gateway over loopback WebSocket like any remote agent, with a fresh random key per start.
 * This is the one file of the master allowed to import the agent package.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Agent } from '@scrapyard/agent';
import { AGENT_WS_PATH } from '@scrapyard/protocol';
import { buildApp, type MasterExtensions } from './app.js';
import type { MasterConfig } from './config.js';
import { dialHost } from './dial-host.js';

export const LOCAL_NODE_ID = 'local';

export interface RunningMaster {
  port: number;
  stop(): Promise<void>;
}

export async function startStandalone(
  config: MasterConfig,
  logger: Logger,
  version: string,
  ext: MasterExtensions = {},
): Promise<RunningMaster> {
  const master = await buildApp(config, logger, ext);
  let agent: Agent | undefined;
  try {
    await master.app.listen({ host: config.bindAddress, port: config.httpPort });
    const address = master.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.httpPort;
    const url = `${master.tls ? 'https' : 'http'}://${config.bindAddress}:${port}`;
    // The web UI's address on the line people read first (the README's Quick start points to it).
    logger.info(
      { host: config.bindAddress, port, version },
      `Scrapyard master listening on ${url} (web UI: ${url}/ui/)`,
    );
    if (config.localAgent) {
      const key = randomBytes(32);
      master.nodeKeys.setEmbedded(LOCAL_NODE_ID, key);
      // Loaded only for the embedded agent: a master without one (--no-local-agent) never holds the agent's
      // modules (systeminformation, pidusage, the runner; ~2 MB of heap).
      const { createAgent } = await import('@scrapyard/agent');
      agent = createAgent(
        {
          masterUrl: `${master.tls ? 'wss' : 'ws'}://${dialHost(config.bindAddress)}:${port}${AGENT_WS_PATH}`,
          nodeId: LOCAL_NODE_ID,
          nodeKey: key,
          dataDir: join(config.dataDir, 'agent'),
          slots: config.slots,
          tags: [],
          python: config.python,
          systemSitePackages: config.systemSitePackages,
          pipIndexUrl: config.pipIndexUrl,
          pipFindLinks: config.pipFindLinks,
          pipNoIndex: config.pipNoIndex,
          pipAllowDirectUrls: config.pipAllowDirectUrls,
          crawlUser: config.crawlUser,
          crawlGroup: config.crawlGroup,
          crawlEnvPassthrough: config.crawlEnvPassthrough,
          jobsDir: config.jobsDir,
          // The embedded agent trusts exactly the certificate this master serves, CA-signed or self-signed.
          ...(master.tls ? { ca: readFileSync(config.tlsCert), caIsMasterCert: true } : {}),
        },
        { logger: logger.child({ embeddedAgent: LOCAL_NODE_ID }) },
      );
      await agent.start();
    }
    return {
      port,
      async stop() {
        // The agent goes first: it stops dialling, and its crawls keep running in their own sessions.
        await agent?.stop();
        await master.close();
      },
    };
  } catch (e) {
    await agent?.stop();
    await master.close();
    throw e;
  }
}
