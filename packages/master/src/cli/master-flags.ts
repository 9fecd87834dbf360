/** Command-line flags of scrapyard-master, parsed with node:util and mapped onto config keys. */
import { parseArgs } from 'node:util';

export const MASTER_HELP = `Usage: scrapyard-master [options]
       scrapyard-master migrate [--config FILE] [--data-dir DIR] [--database-url URL]
       scrapyard-master node enroll|list|revoke|rotate|cordon|uncordon …   (see scrapyard-master node --help)
       scrapyard-master schedule list|show|create|update|pause|resume|delete|run|next|fires|preview …
                                                          (see scrapyard-master schedule --help)
       scrapyard-master webhook list|show|create|update|delete|test|deliveries …
                                                          (see scrapyard-master webhook --help)
       scrapyard-master channel list|show|create|update|delete|test|deliveries …
                                                          (see scrapyard-master channel --help)
       scrapyard-master alert list|show|create|update|delete|mute|unmute|alerts|mute-alert|unmute-alert …
                                                          (see scrapyard-master alert --help)
       scrapyard-master policy get|set|patch|delete PROJECT [SPIDER] …   (see scrapyard-master policy --help)

Starts the Scrapyard master: a drop-in Scrapyd HTTP API (default http://127.0.0.1:6800), with an embedded
agent that runs crawls on this machine unless --no-local-agent is given.

Options:
  --config FILE       scrapyd.conf-style file ([scrapyd] keys as in Scrapyd, [scrapyard] for our own keys);
                      without it, Scrapyd's files are read, later winning: /etc/scrapyd/scrapyd.conf,
                      /etc/scrapyd/conf.d/*, ./scrapyd.conf, ~/.scrapyd.conf, the closest scrapy.cfg
  --bind ADDR         address to listen on (bind_address; default 127.0.0.1)
  --port N            port to listen on (http_port; default 6800)
  --data-dir DIR      database, eggs, logs and items (default ./scrapyard-data)
  --database-url URL  keep the master's state in PostgreSQL (postgres://user:password@host:port/db)
                      instead of SQLite in the data dir (database_url)
  --no-local-agent    do not start the embedded agent (crawls then need remote agents)
  --python PATH       Python interpreter for the embedded agent's venvs (default: first that imports scrapy)
  --tls-cert FILE     PEM certificate: serve HTTPS and WSS (with --tls-key)
  --tls-key FILE      PEM private key of --tls-cert
  -h, --help          show this help
  --version           print the version

Environment: SCRAPYD_BIND_ADDRESS, SCRAPYD_HTTP_PORT, SCRAPYD_USERNAME, SCRAPYD_PASSWORD, and SCRAPYARD_<KEY> for
every config key (e.g. SCRAPYARD_DATA_DIR, SCRAPYARD_DATABASE_URL, SCRAPYARD_PIP_FIND_LINKS).
Precedence: defaults < config files < environment < flags.

Without username/password, changes through the REST API (and \`scrapyard-master node …\`) need the admin token
the master writes to <data_dir>/admin-token (mode 0600); a non-loopback --bind without credentials is refused
unless allow_unauthenticated = on.

\`migrate\` applies pending schema migrations and exits, for deployments that run the master with
auto_migrate = off (no DDL at start-up); by default the master migrates when it starts.`;

export type CliResult =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; configFile: string | undefined; flags: Record<string, unknown> };

export function parseMasterArgs(argv: string[]): CliResult {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      bind: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      'no-local-agent': { type: 'boolean' },
      python: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const flags: Record<string, unknown> = {};
  if (values.bind !== undefined) flags.bindAddress = values.bind;
  if (values.port !== undefined) flags.httpPort = values.port;
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (values['database-url'] !== undefined) flags.databaseUrl = values['database-url'];
  if (values['no-local-agent']) flags.localAgent = false;
  if (values.python !== undefined) flags.python = values.python;
  if (values['tls-cert'] !== undefined) flags.tlsCert = values['tls-cert'];
  if (values['tls-key'] !== undefined) flags.tlsKey = values['tls-key'];
  return { kind: 'run', configFile: values.config, flags };
}
