/**
 * scrapyard-agent's command line: the same global flags as scrapyard-master where they mean the same (`--config`,
 * `--url` for the master's address, `--data-dir`), errors in our own words with the catalogue's USAGE code.
 */
import { parseArgs } from 'node:util';
import { AgentCliError } from './cli-error.js';

export const AGENT_HELP = `Usage: scrapyard-agent [options]
       scrapyard-agent register --token TOKEN [--node-id ID] [--owner USER] [options]

Runs a Scrapyard agent: it dials the master's WebSocket gateway, takes jobs, runs \`scrapy crawl\` in per-project
virtualenvs, and ships logs, items, job state and metrics back. Crawls run in their own sessions, so restarting
the agent leaves them running; the next start re-adopts them.

register   exchanges a single-use enrollment token (from \`scrapyard-master node enroll\`) for this node's
           credential, stored in <data dir>/node-credential.json (mode 0600). The agent then dials the master
           it registered with, unless --url (or masterUrl) says otherwise.

Options:
  --config FILE       JSON file: masterUrl, dataDir, nodeId, slots, tags, dedicated, caFile, python,
                      systemSitePackages, pipIndexUrl, pipFindLinks, pipNoIndex, pipAllowDirectUrls, crawlUser,
                      crawlGroup, crawlEnvPassthrough, jobsDir, temporarySecretFile, metricsIntervalMs,
                      eggCacheMaxAgeDays, venvMaxAgeDays, logLevel, logFormat (auto|json|pretty)
                      (relative paths: relative to the file)
  --url URL           the master's address, http(s)://host:port or ws(s)://host:port (masterUrl)
  --data-dir DIR      credential, job records, venvs and egg cache (dataDir; default ./scrapyard-agent-data)
  --token TOKEN       enrollment token (register)
  --node-id ID        node id to ask for (register; default: config nodeId, else the host name)
  --owner USER        register run as root: the data dir it creates and the credential belong to USER (the
                      user the agent service runs as)
  -h, --help          show this help
  --version           print the version

Environment: SCRAPYARD_<KEY> for every config key (e.g. SCRAPYARD_MASTER_URL, SCRAPYARD_DATA_DIR, SCRAPYARD_TAGS,
SCRAPYARD_SLOTS, SCRAPYARD_CA_FILE, SCRAPYARD_PYTHON).
Precedence: defaults < config file < environment < flags.`;

const OPTIONS = {
  config: { type: 'string' },
  url: { type: 'string' },
  // The name agent configs and older scripts used; not in the help.
  'master-url': { type: 'string' },
  'data-dir': { type: 'string' },
  token: { type: 'string' },
  'node-id': { type: 'string' },
  owner: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Config keys the flags set, over the file and the environment. */
export interface AgentFlags {
  masterUrl?: string;
  dataDir?: string;
}

export type AgentArgs =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; configFile: string | undefined; flags: AgentFlags }
  | {
      kind: 'register';
      configFile: string | undefined;
      flags: AgentFlags;
      token: string;
      nodeId: string | undefined;
      owner: string | undefined;
    };

const SEE_HELP = '(see scrapyard-agent --help)';

/** node:util's parse errors, in our words: the option named as typed, never its internal wording. */
function usageOf(e: unknown): AgentCliError {
  const err = e as { code?: string; message?: string };
  // "Unknown option '--x'", "Option '--config <value>' argument missing", "Option '-h, --help' does not take …"
  const option = /'(?:-\w, )?(--?[\w-]+)/.exec(err.message ?? '')?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new AgentCliError('USAGE', `unknown option ${option} ${SEE_HELP}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take/.test(err.message ?? '')
        ? new AgentCliError('USAGE', `${option} takes no value ${SEE_HELP}`)
        : new AgentCliError('USAGE', `${option} needs a value ${SEE_HELP}`);
    default:
      return new AgentCliError('USAGE', `cannot read the command line ${SEE_HELP}`);
  }
}

export function parseAgentArgs(argv: string[]): AgentArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageOf(e);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...extra] = positionals;
  if (command !== undefined && command !== 'register') {
    throw new AgentCliError('USAGE', `unknown command "${command}" ${SEE_HELP}`);
  }
  if (extra.length > 0) throw new AgentCliError('USAGE', `unexpected argument "${extra[0]}" ${SEE_HELP}`);
  if (values.url !== undefined && values['master-url'] !== undefined) {
    throw new AgentCliError('USAGE', '--master-url is the old name of --url: give one of them');
  }
  const flags: AgentFlags = {};
  const url = values.url ?? values['master-url'];
  if (url !== undefined) flags.masterUrl = url;
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (command === undefined) {
    for (const k of ['token', 'node-id', 'owner'] as const) {
      if (values[k] !== undefined) throw new AgentCliError('USAGE', `--${k} is for register ${SEE_HELP}`);
    }
    return { kind: 'run', configFile: values.config, flags };
  }
  if (!values.token) {
    throw new AgentCliError('USAGE', 'register needs --token (from `scrapyard-master node enroll`)');
  }
  return {
    kind: 'register',
    configFile: values.config,
    flags,
    token: values.token,
    nodeId: values['node-id'],
    owner: values.owner,
  };
}
