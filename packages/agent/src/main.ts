/**
 * scrapyard-agent entry point: `register` trades an enrollment token for the node credential; without a
 * subcommand it runs the agent, which dials the master and takes jobs until SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { createAgent, AGENT_VERSION } from './agent.js';
import { CrawlIdentityError } from './runner/crawl-identity.js';
import { AgentConfigSchema } from './config.js';
import { AGENT_ENV_NAMES, AgentConfigError, loadAgentFile, toAgentConfig } from './cli-config.js';
import { createLogger } from './logger.js';
import { register, RegisterError } from './register.js';
import { onStopSignals, unknownEnvWarnings } from '@scrapyard/protocol';

const HELP = `Usage: scrapyard-agent [--config FILE]
       scrapyard-agent register --config FILE --token TOKEN [--node-id ID] [--owner USER]

Runs a Scrapyard agent: it dials the master's WebSocket gateway, takes jobs, runs \`scrapy crawl\` in per-project
virtualenvs, and ships logs, items, job state and metrics back. Crawls run in their own sessions, so restarting
the agent leaves them running; the next start re-adopts them.

register   exchanges a single-use enrollment token (from \`scrapyard-master node enroll\`) for this node's
           credential, stored in <dataDir>/node-credential.json (mode 0600).

Options:
  --config FILE   JSON file: masterUrl, dataDir, nodeId, slots, tags, dedicated, caFile, python,
                  systemSitePackages, pipIndexUrl, pipFindLinks, pipNoIndex, pipAllowDirectUrls, crawlUser,
                  crawlGroup, jobsDir, temporarySecretFile, metricsIntervalMs, eggCacheMaxAgeDays,
                  venvMaxAgeDays, logLevel, logFormat (auto: pretty on a terminal, else json; json; pretty)
  --token TOKEN   enrollment token (register)
  --node-id ID    node id to ask for (register; default: config nodeId, else the host name)
  --owner USER    register run as root: the data dir it creates and the credential belong to USER (the
                  user the agent service runs as)
  -h, --help      show this help
  --version       print the version

Every config key can be overridden by SCRAPYARD_<KEY> in the environment: SCRAPYARD_MASTER_URL,
SCRAPYARD_DATA_DIR, SCRAPYARD_TAGS, SCRAPYARD_SLOTS, SCRAPYARD_CA_FILE, SCRAPYARD_PYTHON, …`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        config: { type: 'string' },
        token: { type: 'string' },
        'node-id': { type: 'string' },
        owner: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.positionals.length > 1 || (parsed.positionals[0] ?? 'register') !== 'register') {
      throw new Error(`unknown command: ${parsed.positionals.join(' ')}`);
    }
  } catch (e) {
    process.stderr.write(`scrapyard-agent: ${(e as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`scrapyard-agent ${AGENT_VERSION}\n`);
    return 0;
  }
  let file;
  try {
    file = loadAgentFile(values.config, process.env);
  } catch (e) {
    process.stderr.write(`scrapyard-agent: invalid configuration:\n  ${(e as Error).message}\n`);
    return 2;
  }
  if (positionals[0] === 'register') {
    if (!values.token) {
      process.stderr.write('scrapyard-agent: register needs --token (from `scrapyard-master node enroll`)\n');
      return 2;
    }
    try {
      const r = await register(file, values.token, values['node-id'], { owner: values.owner });
      process.stdout.write(`registered as node ${r.nodeId}; credential written to ${r.path}\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`scrapyard-agent: ${e instanceof RegisterError ? e.message : String(e)}\n`);
      return 1;
    }
  }
  let config;
  try {
    config = AgentConfigSchema.parse(toAgentConfig(file));
  } catch (e) {
    const msg = e instanceof AgentConfigError ? e.message : (e as Error).message;
    process.stderr.write(`scrapyard-agent: invalid configuration:\n  ${msg}\n`);
    return 2;
  }
  const logger = await createLogger(
    {
      name: 'scrapyard-agent',
      level: file.logLevel,
      base: { pid: process.pid, nodeId: config.nodeId },
      redact: ['nodeKey', '*.nodeKey', 'secret', '*.secret'],
    },
    file.logFormat,
  );
  for (const w of unknownEnvWarnings(process.env, AGENT_ENV_NAMES, 'scrapyard-agent')) logger.warn(w);
  process.on('unhandledRejection', (e) => {
    logger.fatal({ err: e }, 'unhandled promise rejection');
    process.exit(1);
  });
  let agent;
  try {
    agent = createAgent(config, { logger, env: process.env });
  } catch (e) {
    if (!(e instanceof CrawlIdentityError)) throw e;
    logger.fatal({ code: e.code }, e.message);
    process.stderr.write(`scrapyard-agent: invalid configuration:\n  ${e.message}\n`);
    return 2;
  }
  // Signals are handled from the start: an agent still dialling (master down, refused, TLS error) must stop cleanly.
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  onStopSignals({
    stop: (signal) => {
      logger.info({ signal }, 'stopping (running crawls keep running)');
      agent.stop().then(
        () => resolveStopped(0),
        (e: unknown) => {
          logger.error({ err: e }, 'error while stopping');
          resolveStopped(1);
        },
      );
    },
    coalesced: (signal) => logger.debug({ signal }, 'signal within the window of the first: same stop'),
    force: (signal) => {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    },
  });
  await agent.start();
  return stopped;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`scrapyard-agent: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
