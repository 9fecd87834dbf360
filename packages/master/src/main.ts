/**
 * scrapyard-master entry point: parse flags, load config, start the master (and, by default, its embedded agent),
 * and stop cleanly on SIGTERM/SIGINT. A second signal forces exit, unless it came within 2 s of the first
 * (stop-signals.ts in the protocol package: Ctrl-C under `pnpm exec` delivers SIGINT and a forwarded SIGTERM).
 */
import { stopOnSignals, unknownEnvWarnings } from '@scrapyard/protocol';
import { checkExposure } from './auth/bind-exposure.js';
import { runMasterCli } from './cli/index.js';
import { ConfigError, loadMasterConfig, MASTER_ENV_NAMES } from './config-load.js';
import { createLogger } from './logger.js';

export const VERSION = '0.1.0';

async function main(): Promise<number> {
  const cli = await runMasterCli(process.argv.slice(2), process.env, VERSION);
  if (cli.kind === 'exit') return cli.code;
  // Loaded only to start the master: an admin command then starts in half the time.
  const { startStandalone } = await import('./standalone.js');
  const { discovered } = cli;
  let config;
  let exposure;
  try {
    config = loadMasterConfig({ file: cli.configFile, discovered, env: process.env, flags: cli.flags });
    exposure = checkExposure(config);
    if (exposure.verdict === 'refuse') {
      // Users in the store are credentials too; the store's modules are loaded only to ask.
      const { storedUsersExist } = await import('./auth/stored-users.js');
      exposure = checkExposure({ ...config, hasUsers: await storedUsersExist(config) });
    }
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
  // Signals are handled from the start: a stop asked for while the master starts (it already listens before its
  // embedded agent is up) waits for the start to finish, then stops cleanly instead of dying mid-way.
  const starting = startStandalone(config, logger, VERSION);
  const stopped = stopOnSignals({ stop: async () => (await starting).stop() }, logger);
  try {
    await starting;
  } catch (e) {
    logger.fatal({ err: e }, 'master failed to start');
    process.stderr.write(`scrapyard-master: failed to start: ${(e as Error).message}\n`);
    return 1;
  }
  return stopped;
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
