/**
 * scrapyard-agent entry point: `register` trades an enrollment token for the node credential; without a
 * subcommand it runs the agent, which dials the master and takes jobs until SIGTERM/SIGINT.
 */
import { createAgent, AGENT_VERSION } from './agent.js';
import { CrawlIdentityError } from './runner/crawl-identity.js';
import { AgentConfigSchema } from './config.js';
import { AGENT_HELP, parseAgentArgs } from './cli-args.js';
import { AgentCliError, formatCliError } from './cli-error.js';
import { AGENT_ENV_NAMES, AgentConfigError, loadAgentFile, toAgentConfig } from './cli-config.js';
import { createLogger } from './logger.js';
import { register, RegisterError } from './register.js';
import { stopOnSignals, unknownEnvWarnings } from '@scrapyard/protocol';

/** Exit status of a failure: 2 for a command line or configuration to fix, 1 for the rest (register's included). */
function exitCodeOf(e: unknown): number {
  if (e instanceof RegisterError) return 1;
  return e instanceof AgentCliError && (e.code === 'USAGE' || e.code === 'CONFIG_INVALID') ? 2 : 1;
}

async function main(): Promise<number> {
  let args;
  let file;
  try {
    args = parseAgentArgs(process.argv.slice(2));
    if (args.kind === 'help' || args.kind === 'version') {
      process.stdout.write(`${args.kind === 'help' ? AGENT_HELP : `scrapyard-agent ${AGENT_VERSION}`}\n`);
      return 0;
    }
    file = loadAgentFile(args.configFile, process.env, args.flags);
    if (args.kind === 'register') {
      const r = await register(file, args.token, args.nodeId, { owner: args.owner });
      process.stdout.write(`registered as node ${r.nodeId}; credential written to ${r.path}\n`);
      return 0;
    }
  } catch (e) {
    process.stderr.write(formatCliError(e));
    return exitCodeOf(e);
  }
  let config;
  try {
    config = AgentConfigSchema.parse(toAgentConfig(file));
  } catch (e) {
    process.stderr.write(formatCliError(e instanceof AgentCliError ? e : new AgentConfigError((e as Error).message)));
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
    process.stderr.write(formatCliError(new AgentCliError(e.code, e.message)));
    return 2;
  }
  // Signals are handled from the start: an agent still dialling (master down, refused, TLS error) must stop cleanly.
  const stopped = stopOnSignals(agent, logger, { stopping: 'stopping (running crawls keep running)' });
  await agent.start();
  return stopped;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(formatCliError(e));
    process.exitCode = 1;
  },
);
