/**
 * `scrapyard-master policy …`: project and spider policies through the running master's REST API (the master
 * validates and stores; this turns flags into the JSON body and the answer into lines). `set` replaces the whole
 * policy (PUT), `patch` changes only the fields given (PATCH).
 */
import { parseArgs } from 'node:util';
import { PlacementPolicy } from '@scrapyard/protocol';
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, CliError, adminClient, table } from '../admin-client.js';
import { commaList, defined, num } from '../values.js';
import { readJsonBody } from './targets.js';

export const POLICY_HELP = `Usage: scrapyard-master policy <command> PROJECT [SPIDER] [options]

Commands:
  get PROJECT [SPIDER]            the stored policy (fields not set inherit: spider < project < master)
  set PROJECT [SPIDER] [fields]   replace the whole policy: fields not given are cleared (inherit)
  patch PROJECT [SPIDER] [fields] change only the fields given, keep the rest
  delete PROJECT [SPIDER]         forget the policy (everything inherits)

Fields (the value inherit clears one, e.g. --max-running inherit):
  --tag T…                    tags an agent must have (repeatable or comma-separated)
  --max-running N             running jobs at most
  --retries N                 runs again after an outcome in --retry-on, N times at most
  --retry-on O…               failed, timed_out, stalled, lost (default lost)
  --retry-backoff-seconds N   first retry's delay (default 10)   --retry-backoff-max-seconds N (default 600)
  --max-run-seconds N  --stall-seconds N  --kill-grace-seconds N   run limits (README, Time limits)
  --unique-arg A…             unique key: the spider and these arguments (--unique-arg '' : the spider alone)
  --start-rate COUNT/SECONDS  at most COUNT starts per SECONDS
  --json-body FILE            send this file's JSON (- for stdin) instead of the field flags (docs/cluster.md)
  --allow-unknown-project     set or patch the policy of a project deployed later
  --allow-unknown-spider      set or patch the policy of a spider deployed later

Options:
${ADMIN_OPTIONS_HELP}`;

const OPTIONS = {
  ...ADMIN_OPTIONS,
  tag: { type: 'string', multiple: true },
  'max-running': { type: 'string' },
  retries: { type: 'string' },
  'retry-on': { type: 'string', multiple: true },
  'retry-backoff-seconds': { type: 'string' },
  'retry-backoff-max-seconds': { type: 'string' },
  'max-run-seconds': { type: 'string' },
  'stall-seconds': { type: 'string' },
  'kill-grace-seconds': { type: 'string' },
  'unique-arg': { type: 'string', multiple: true },
  'start-rate': { type: 'string' },
  'json-body': { type: 'string' },
  'allow-unknown-project': { type: 'boolean' },
  'allow-unknown-spider': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const INHERIT = 'inherit';

/** A numeric field: undefined when absent, null for `inherit`. */
const numeric = (flag: string, raw: string | undefined) => (raw === INHERIT ? null : num(flag, raw));

/** A list field: undefined when absent, null for `inherit`, `''` alone for the empty list. */
function listField(values: string[] | undefined): string[] | null | undefined {
  if (values === undefined) return undefined;
  if (values.length === 1 && values[0] === INHERIT) return null;
  return commaList(values);
}

function startRate(raw: string | undefined): { count: number; periodSeconds: number } | null | undefined {
  if (raw === undefined || raw === INHERIT) return raw === undefined ? undefined : null;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m) throw new CliError(`--start-rate takes COUNT/SECONDS (e.g. 10/60), not '${raw}'`);
  return { count: Number(m[1]), periodSeconds: Number(m[2]) };
}

/** The policy fields the flags set (absent flags are left out: `patch` keeps them, `set` clears them). */
function fieldsOf(v: Values): Record<string, unknown> {
  return defined({
    tags: listField(v.tag),
    maxRunning: numeric('max-running', v['max-running']),
    retries: numeric('retries', v.retries),
    retryOn: listField(v['retry-on']),
    retryBackoffSeconds: numeric('retry-backoff-seconds', v['retry-backoff-seconds']),
    retryBackoffMaxSeconds: numeric('retry-backoff-max-seconds', v['retry-backoff-max-seconds']),
    maxRunSeconds: numeric('max-run-seconds', v['max-run-seconds']),
    stallSeconds: numeric('stall-seconds', v['stall-seconds']),
    killGraceSeconds: numeric('kill-grace-seconds', v['kill-grace-seconds']),
    uniqueArgs: listField(v['unique-arg']),
    startRate: startRate(v['start-rate']),
  });
}

/** One line per field: its value, or `(inherit)`. */
function policyLines(p: PlacementPolicy): string {
  const show = (x: unknown) =>
    x === null
      ? '(inherit)'
      : Array.isArray(x)
        ? x.join(',') || "''"
        : typeof x === 'object'
          ? `${(x as { count: number }).count}/${(x as { periodSeconds: number }).periodSeconds}`
          : String(x);
  return table([['FIELD', 'VALUE'], ...Object.entries(p).map(([k, x]) => [k, show(x)])]);
}

/** Runs a policy subcommand; returns the exit code. */
export async function runPolicyCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
    const [command, project, spider, ...extra] = positionals;
    if (values.help || !command) {
      out(POLICY_HELP);
      return values.help ? 0 : 2;
    }
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    if (!project) throw new CliError(`${command} needs a project`);
    const path =
      `/projects/${encodeURIComponent(project)}` +
      (spider === undefined ? '' : `/spiders/${encodeURIComponent(spider)}`) +
      '/policy';
    const target = spider === undefined ? project : `${project}/${spider}`;
    const fields = fieldsOf(values);
    const writing = command === 'set' || command === 'patch';
    const given = Object.keys(fields).length > 0 || values['json-body'] !== undefined;
    const allow = values['allow-unknown-project'] || values['allow-unknown-spider'];
    if (!writing && (given || allow)) throw new CliError(`${command} takes no field flags`);
    if (values['json-body'] !== undefined && Object.keys(fields).length > 0) {
      throw new CliError('--json-body replaces the field flags: give one or the other');
    }
    const api = adminClient(values, env);
    const show = (answer: unknown, verb?: string) => {
      const p = PlacementPolicy.parse(answer);
      out(values.json ? JSON.stringify(p) : `${verb ? `${verb}: ${target}\n` : ''}${policyLines(p)}`);
    };
    switch (command) {
      case 'get':
        show(await api('GET', path));
        return 0;
      case 'set':
      case 'patch': {
        if (command === 'patch' && !given) {
          throw new CliError('nothing to patch: give the fields to change (see scrapyard-master policy --help)');
        }
        const q = new URLSearchParams();
        if (values['allow-unknown-project']) q.set('allow_unknown_project', '1');
        if (values['allow-unknown-spider']) q.set('allow_unknown_spider', '1');
        const body = values['json-body'] !== undefined ? readJsonBody(values['json-body']) : fields;
        const method = command === 'set' ? 'PUT' : 'PATCH';
        show(await api(method, `${path}${q.size > 0 ? `?${q}` : ''}`, body), command === 'set' ? 'set' : 'patched');
        return 0;
      }
      case 'delete':
        await api('DELETE', path);
        out(values.json ? JSON.stringify({ deleted: target }) : `deleted: ${target}`);
        return 0;
      default:
        throw new CliError(`unknown policy command "${command}"\n\n${POLICY_HELP}`);
    }
  } catch (e) {
    process.stderr.write(`scrapyard-master policy: ${(e as Error).message}\n`);
    return e instanceof CliError ? 1 : 2;
  }
}
