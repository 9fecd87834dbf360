/**
 * The master's own command line (`scrapyard-master [options]` and `migrate`), parsed by the one flag parser and
 * mapped onto config keys; its help names every admin command, generated from their tables.
 */
import { UsageError } from './errors.js';
import { entry, flagLines } from './help.js';
import { parseFlags } from './parse.js';
import type { Command, Flags } from './spec.js';

export const START_FLAGS: Flags = {
  config: {
    type: 'string',
    arg: 'FILE',
    help:
      'scrapyd.conf-style file ([scrapyd] keys as in Scrapyd, [scrapyard] for our own keys); without it, ' +
      "Scrapyd's files are read, later winning: /etc/scrapyd/scrapyd.conf, /etc/scrapyd/conf.d/*, ./scrapyd.conf, " +
      '~/.scrapyd.conf, the closest scrapy.cfg',
  },
  bind: { type: 'string', arg: 'ADDR', help: 'address to listen on (bind_address; default 127.0.0.1)' },
  port: { type: 'number', arg: 'N', help: 'port to listen on (http_port; default 6800)' },
  'data-dir': { type: 'string', arg: 'DIR', help: 'database, eggs, logs and items (default ./scrapyard-data)' },
  'database-url': {
    type: 'string',
    arg: 'URL',
    help:
      "keep the master's state in PostgreSQL (postgres://user:password@host:port/db) instead of SQLite in the " +
      'data dir (database_url)',
  },
  'no-local-agent': { type: 'boolean', help: 'do not start the embedded agent (crawls then need remote agents)' },
  python: {
    type: 'string',
    arg: 'PATH',
    help: "Python interpreter for the embedded agent's venvs (default: first that imports scrapy)",
  },
  'tls-cert': { type: 'string', arg: 'FILE', help: 'PEM certificate: serve HTTPS and WSS (with --tls-key)' },
  'tls-key': { type: 'string', arg: 'FILE', help: 'PEM private key of --tls-cert' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', help: 'print the version' },
};

/** The flags `migrate` takes. */
export const MIGRATE_FLAGS = ['config', 'data-dir', 'database-url', 'help'] as const;

export function masterHelp(commands: readonly Command[]): string {
  const usage = [
    'Usage: scrapyard-master [options]',
    '       scrapyard-master migrate [--config FILE] [--data-dir DIR] [--database-url URL]',
    '       scrapyard-master completion bash|zsh',
    ...commands.map(
      (c) =>
        `       scrapyard-master ${c.name} ${c.subs.map((s) => s.name).join('|')} …\n` +
        `${' '.repeat(58)}(see scrapyard-master ${c.name} --help)`,
    ),
  ];
  return `${usage.join('\n')}

Starts the Scrapyard master: a drop-in Scrapyd HTTP API (default http://127.0.0.1:6800), with an embedded
agent that runs crawls on this machine unless --no-local-agent is given.

Options:
${flagLines(START_FLAGS)}

Commands:
${entry('migrate', 'apply pending schema migrations and exit, for deployments that run the master with auto_migrate = off (no DDL at start-up); by default the master migrates when it starts')}
${entry('completion bash|zsh', 'print a shell completion script (e.g. source <(scrapyard-master completion bash))')}
${commands.map((c) => entry(c.name, c.summary)).join('\n')}

Environment: SCRAPYD_BIND_ADDRESS, SCRAPYD_HTTP_PORT, SCRAPYD_USERNAME, SCRAPYD_PASSWORD, and SCRAPYARD_<KEY> for
every config key (e.g. SCRAPYARD_DATA_DIR, SCRAPYARD_DATABASE_URL, SCRAPYARD_PIP_FIND_LINKS).
Precedence: defaults < config files < environment < flags.

Without username/password, the admin commands (node, schedule, …) and changes through the REST API need the admin
token the master writes to <data_dir>/admin-token (mode 0600); the commands find it, and the master's address and
TLS, in the master's config as the master does (--config, or the files above). A non-loopback --bind without
credentials is refused unless allow_unauthenticated = on.

Exit codes: 0 done, 1 failed (the message starts with the error's code), 2 the command line or config is wrong.`;
}

export type StartArgs =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; configFile: string | undefined; flags: Record<string, unknown> };

/** `scrapyard-master [options]` (or `migrate [options]`, with `only` its flags). */
export function parseMasterArgs(argv: readonly string[], only?: readonly string[]): StartArgs {
  const { values, positionals } = parseFlags(argv, START_FLAGS);
  if (positionals.length > 0) throw new UsageError(`unknown command "${positionals[0]}"`);
  const stray = only && Object.keys(values).filter((k) => !only.includes(k));
  if (stray?.length) throw new UsageError(`migrate takes no --${stray.join(', --')}`);
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };
  const flags: Record<string, unknown> = {};
  if (values.bind !== undefined) flags.bindAddress = values.bind;
  if (values.port !== undefined) flags.httpPort = values.port;
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (values['database-url'] !== undefined) flags.databaseUrl = values['database-url'];
  if (values['no-local-agent'] === true) flags.localAgent = false;
  if (values.python !== undefined) flags.python = values.python;
  if (values['tls-cert'] !== undefined) flags.tlsCert = values['tls-cert'];
  if (values['tls-key'] !== undefined) flags.tlsKey = values['tls-key'];
  return { kind: 'run', configFile: values.config as string | undefined, flags };
}
