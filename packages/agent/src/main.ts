/**
 * scrapyard-agent entry point: runs an agent that dials a master. (Enrollment of permanent nodes and the
 * `register` command arrive with the cluster work; this runs the agent code with a provisioned node key.)
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createAgent, AGENT_VERSION } from './agent.js';
import { AgentConfigSchema } from './config.js';
import { AgentConfigError, loadAgentCliConfig } from './cli-config.js';

const HELP = `Usage: scrapyard-agent [--config FILE]

Runs a Scrapyard agent: it dials the master's WebSocket gateway, takes jobs, runs \`scrapy crawl\` in per-project
virtualenvs, and ships logs, items and job state back. Crawls run in their own sessions, so restarting the agent
leaves them running; the next start re-adopts them.

Options:
  --config FILE   JSON file: masterUrl, nodeId, nodeKeyFile, dataDir, slots, tags, python, systemSitePackages,
                  pipIndexUrl, pipFindLinks, pipNoIndex, jobsDir
  -h, --help      show this help
  --version       print the version

Environment overrides: SCRAPYARD_MASTER_URL, SCRAPYARD_NODE_ID, SCRAPYARD_NODE_KEY_FILE, SCRAPYARD_DATA_DIR,
SCRAPYARD_SLOTS, SCRAPYARD_TAGS, SCRAPYARD_PYTHON, SCRAPYARD_PIP_INDEX_URL, SCRAPYARD_PIP_FIND_LINKS, …`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`scrapyard-agent: ${(e as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`scrapyard-agent ${AGENT_VERSION}\n`);
    return 0;
  }
  let config;
  try {
    config = AgentConfigSchema.parse(loadAgentCliConfig(values.config, process.env));
  } catch (e) {
    const msg = e instanceof AgentConfigError ? e.message : (e as Error).message;
    process.stderr.write(`scrapyard-agent: invalid configuration:\n  ${msg}\n`);
    return 2;
  }
  const logger = pino({
    name: 'scrapyard-agent',
    base: { pid: process.pid, nodeId: config.nodeId },
    redact: ['nodeKey', '*.nodeKey'],
  });
  process.on('unhandledRejection', (e) => {
    logger.fatal({ err: e }, 'unhandled promise rejection');
    process.exit(1);
  });
  const agent = createAgent(config, { logger, env: process.env });
  await agent.start();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      logger.info({ signal }, 'stopping (running crawls keep running)');
      agent.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`scrapyard-agent: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
