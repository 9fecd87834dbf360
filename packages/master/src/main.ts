/**
 * scrapyard-master entry point: parse flags, load config, start the master (and, by default, its embedded agent),
 * and stop cleanly on SIGTERM/SIGINT. A second signal forces exit, unless it came within 2 s of the first
 * (stop-signals.ts in the protocol package: Ctrl-C under `pnpm exec` delivers SIGINT and a forwarded SIGTERM).
 */
import { homedir } from 'node:os';
import { stopOnSignals, unknownEnvWarnings } from '@scrapyard/protocol';
import { runAlertCommand } from './alert-cli.js';
import { checkExposure } from './auth/bind-exposure.js';
import { runChannelCommand } from './channel-cli.js';
import { parseMasterArgs, MASTER_HELP } from './cli.js';
import { discoverConfigFiles } from './config-files.js';
import { createLogger } from './logger.js';
import { ConfigError, loadMasterConfig, MASTER_ENV_NAMES } from './config.js';
import { runMigrateCommand } from './migrate-cli.js';
import { runNodeCommand } from './node-cli.js';
import { runPolicyCommand } from './policy-cli.js';
import { runScheduleCommand } from './schedule-cli.js';
import { startStandalone } from './standalone.js';
import { runWebhookCommand } from './webhook-cli.js';

export const VERSION = '0.1.0';

async function main(): Promise<number> {
  if (process.argv[2] === 'node') return runNodeCommand(process.argv.slice(3), process.env);
  if (process.argv[2] === 'schedule') return runScheduleCommand(process.argv.slice(3), process.env);
  if (process.argv[2] === 'webhook') return runWebhookCommand(process.argv.slice(3), process.env);
  if (process.argv[2] === 'channel') return runChannelCommand(process.argv.slice(3), process.env);
  if (process.argv[2] === 'alert') return runAlertCommand(process.argv.slice(3), process.env);
  if (process.argv[2] === 'policy') return runPolicyCommand(process.argv.slice(3), process.env);
  const migrating = process.argv[2] === 'migrate';
  let cli;
  try {
    cli = parseMasterArgs(process.argv.slice(migrating ? 3 : 2));
  } catch (e) {
    process.stderr.write(`scrapyard-master: ${(e as Error).message}\n\n${MASTER_HELP}\n`);
    return 2;
  }
  if (cli.kind === 'help') {
    process.stdout.write(`${MASTER_HELP}\n`);
    return 0;
  }
  if (cli.kind === 'version') {
    process.stdout.write(`scrapyard-master ${VERSION}\n`);
    return 0;
  }
  // Without --config, Scrapyd's own files are read (so a Scrapyd host switches over as it is).
  const discovered =
    cli.configFile === undefined ? discoverConfigFiles(process.env, { cwd: process.cwd(), home: homedir() }) : [];
  if (migrating) {
    return runMigrateCommand(() =>
      loadMasterConfig({ file: cli.configFile, discovered, env: process.env, flags: cli.flags }),
    );
  }
  let config;
  let exposure;
  try {
    config = loadMasterConfig({ file: cli.configFile, discovered, env: process.env, flags: cli.flags });
    exposure = checkExposure(config);
    if (exposure.verdict === 'refuse') throw new ConfigError([exposure.message]);
    // The embedded agent switches to crawl_user for each crawl, which only root can do: say so before starting.
    if (config.localAgent && config.crawlUser !== '' && process.getuid?.() !== 0) {
      throw new ConfigError([`crawl_user "${config.crawlUser}" needs the master to run as root`]);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`scrapyard-master: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const logger = await createLogger(
    {
      level: config.logLevel,
      name: 'scrapyard-master',
      base: { pid: process.pid },
      redact: {
        paths: ['password', '*.password', 'secret', '*.secret', 'mac', '*.mac', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    config.logFormat,
  );
  for (const w of unknownEnvWarnings(process.env, MASTER_ENV_NAMES, 'scrapyard-master')) logger.warn(w);
  logger.info(
    { files: cli.configFile === undefined ? discovered : [cli.configFile] },
    cli.configFile === undefined ? 'configuration files read (Scrapyd search list)' : 'configuration file read',
  );
  if (exposure.verdict === 'warn') logger.warn({ bindAddress: config.bindAddress }, exposure.message);
  // A promise nobody handled is a bug: log it with context before the process exits (systemd restarts us).
  process.on('unhandledRejection', (e) => {
    logger.fatal({ err: e }, 'unhandled promise rejection');
    process.exit(1);
  });
  let master;
  try {
    master = await startStandalone(config, logger, VERSION);
  } catch (e) {
    logger.fatal({ err: e }, 'master failed to start');
    process.stderr.write(`scrapyard-master: failed to start: ${(e as Error).message}\n`);
    return 1;
  }
  return stopOnSignals(master, logger);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`scrapyard-master: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
