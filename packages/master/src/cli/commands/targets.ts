/**
 * What `scrapyard-master webhook …` and `scrapyard-master channel …` share: the commands of every delivery target
 * (list, show, create, update, delete, test, deliveries) over /api/v1/webhooks and /api/v1/channels, a raw
 * `--json-body`, secrets read from a file or the environment (never from the command line, where shell history
 * and `ps` would keep them), the one-time display of a generated secret, and the delivery log as a table.
 */
import { readFileSync } from 'node:fs';
import { DeliveryPage, TestDeliveryResponse, type Delivery } from '@scrapyard/protocol';
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, CliError, adminClient, table } from '../admin-client.js';
import { num, when } from '../values.js';

// `--url` is a webhook's (or webhook channel's) own URL here, so the master's is `--master-url`: a master URL
// taken for a receiver's would send the admin token to the receiver.
const { url: _masterUrl, ...ADMIN_OPTIONS_BUT_URL } = ADMIN_OPTIONS;

/** The options of every target command; a CLI adds its field flags. */
export const TARGET_OPTIONS = {
  ...ADMIN_OPTIONS_BUT_URL,
  'master-url': { type: 'string' },
  'json-body': { type: 'string' },
  state: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** The end of both commands' help: --json-body, where secrets come from, and the admin options. */
export const TARGET_HELP_TAIL = `  --json-body FILE  create/update: send this file's JSON as the request body (- for stdin) instead of the
                    field flags (the API's field names, see docs/webhooks.md)

Secrets are read from a file or an environment variable, never from the command line (shell history, ps).

Options:
${ADMIN_OPTIONS_HELP.replace('  --url URL        ', '  --master-url URL ')}`;

export interface TargetValues {
  config?: string;
  'data-dir'?: string;
  'master-url'?: string;
  'ca-file'?: string;
  json?: boolean;
  help?: boolean;
  'json-body'?: string;
  state?: string;
  limit?: string;
}

export interface TargetCli<V extends TargetValues> {
  noun: 'webhook' | 'channel';
  help: string;
  parse(argv: string[]): { values: V; positionals: string[] };
  /** The POST body the field flags make. */
  createBody(values: V, env: NodeJS.ProcessEnv): Record<string, unknown>;
  /** The PATCH body the field flags make; `current()` fetches the target as it is. */
  updateBody(values: V, env: NodeJS.ProcessEnv, current: () => Promise<unknown>): Promise<Record<string, unknown>>;
  /** Human output of a list answer, a show answer, and a create/update answer. */
  list(answer: unknown): string;
  show(answer: unknown): string;
  /** `sent`: the request body (a secret of the user's own is not echoed). */
  saved(answer: unknown, verb: 'created' | 'updated', sent: unknown): string;
}

/**
 * A secret from `--<name>-file FILE` (its content, without the final newline) or `--<name>-env VAR`; undefined
 * when neither is given.
 */
export function secretFrom(
  name: string,
  file: string | undefined,
  envVar: string | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (file !== undefined && envVar !== undefined) {
    throw new CliError(`give --${name}-file or --${name}-env, not both`);
  }
  if (file !== undefined) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read --${name}-file ${file}: ${(e as Error).message}`);
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') throw new CliError(`--${name}-file ${file} is empty`);
    return value;
  }
  if (envVar !== undefined) {
    const value = env[envVar];
    if (value === undefined || value === '') throw new CliError(`--${name}-env: ${envVar} is not set`);
    return value;
  }
  return undefined;
}

/** Refuses secrets given as plain flags (declared so that the refusal can say what to do instead). */
export function refusePlainSecrets(given: Record<string, string | undefined>): void {
  for (const [flag, value] of Object.entries(given)) {
    if (value !== undefined) {
      throw new CliError(
        `secrets are not taken on the command line, where shell history and ps would show them: ` +
          `use --${flag}-file FILE or --${flag}-env VAR instead of --${flag}`,
      );
    }
  }
}

/** The lines that show a secret the master generated: the only time anyone sees it. */
export function secretLines(label: string, secret: string | undefined): string {
  return secret === undefined
    ? ''
    : `\n${label}: ${secret}\nThis secret will not be shown again: store it now (a lost one can only be replaced).`;
}

/** `--json-body FILE` (- for stdin) parsed as JSON. */
export function readJsonBody(file: string): unknown {
  let text;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read --json-body ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`--json-body ${file} is not JSON: ${(e as Error).message}`);
  }
}

function deliveryTable(list: Delivery[]): string {
  const rows = [['ID', 'EVENT', 'STATE', 'ATTEMPTS', 'HTTP', 'LATENCY', 'CREATED', 'DELIVERED/NEXT', 'LAST ERROR']];
  for (const d of list) {
    rows.push([
      d.id,
      d.event,
      d.state,
      String(d.attempts),
      d.lastStatus === null ? '-' : String(d.lastStatus),
      d.latencyMs === null ? '-' : `${d.latencyMs} ms`,
      when(d.createdAt),
      d.state === 'pending' ? `next ${when(d.nextAt)}` : when(d.deliveredAt),
      d.lastError ?? '',
    ]);
  }
  return table(rows);
}

/** The commands that take no field flags. */
const READING = ['list', 'show', 'delete', 'test', 'deliveries'];

/** Runs a webhook or channel subcommand; returns the exit code. */
export async function runTargetCommand<V extends TargetValues>(
  cli: TargetCli<V>,
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    const { values, positionals } = cli.parse(argv);
    const [command, rawId, ...extra] = positionals;
    if (values.help || !command) {
      out(cli.help);
      return values.help ? 0 : 2;
    }
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    const base = `/${cli.noun}s`;
    const path = () => {
      if (!rawId) throw new CliError(`${command} needs a ${cli.noun} id`);
      return `${base}/${encodeURIComponent(rawId)}`;
    };
    // Flags that set fields go with create and update only (a stray --url is most likely the master's).
    const fieldFlags = Object.keys(values).filter((k) => !(k in TARGET_OPTIONS));
    if (READING.includes(command) && fieldFlags.length > 0) {
      const hint = fieldFlags.includes('url') ? ` (the master's URL is --master-url)` : '';
      throw new CliError(`${command} takes no --${fieldFlags.join(', --')}${hint}`);
    }
    // The body: --json-body as is, or what the field flags make (not both: which would win is not obvious).
    const body = async (fromFlags: () => Record<string, unknown> | Promise<Record<string, unknown>>) => {
      const file = values['json-body'];
      if (file === undefined) return fromFlags();
      if (fieldFlags.length > 0) {
        throw new CliError(`--json-body replaces the field flags: drop --${fieldFlags.join(', --')}`);
      }
      return readJsonBody(file);
    };
    const print = (answer: unknown, human: (a: unknown) => string) =>
      out(values.json ? JSON.stringify(answer) : human(answer));
    const api = adminClient({ ...values, url: values['master-url'] }, env);
    switch (command) {
      case 'list':
        print(await api('GET', base), cli.list);
        return 0;
      case 'show':
        print(await api('GET', path()), cli.show);
        return 0;
      case 'create': {
        const b = await body(() => cli.createBody(values, env));
        print(await api('POST', base, b), (a) => cli.saved(a, 'created', b));
        return 0;
      }
      case 'update': {
        const p = path();
        const b = await body(async () => {
          const fields = await cli.updateBody(values, env, () => api('GET', p));
          if (Object.keys(fields).length > 0) return fields;
          throw new CliError(`nothing to update: give the fields to change (see scrapyard-master ${cli.noun} --help)`);
        });
        print(await api('PATCH', p, b), (a) => cli.saved(a, 'updated', b));
        return 0;
      }
      case 'delete':
        await api('DELETE', path());
        out(values.json ? JSON.stringify({ deleted: rawId }) : `deleted: ${rawId}`);
        return 0;
      case 'test':
        print(await api('POST', `${path()}/test`), (a) => {
          const { delivery } = TestDeliveryResponse.parse(a);
          return `test delivery queued: ${delivery.id} (see scrapyard-master ${cli.noun} deliveries ${rawId})`;
        });
        return 0;
      case 'deliveries': {
        const q = new URLSearchParams({ limit: String(num('limit', values.limit) ?? 20) });
        if (values.state !== undefined) q.set('state', values.state);
        print(await api('GET', `${path()}/deliveries?${q}`), (a) => deliveryTable(DeliveryPage.parse(a).deliveries));
        return 0;
      }
      default:
        throw new CliError(`unknown ${cli.noun} command "${command}"\n\n${cli.help}`);
    }
  } catch (e) {
    process.stderr.write(`scrapyard-master ${cli.noun}: ${(e as Error).message}\n`);
    return e instanceof CliError ? 1 : 2;
  }
}
