/**
 * The one runner of the master's admin commands: parse against the command's flag table, check the subcommand's
 * flags and positionals, resolve an id-or-name, build the body, call the API, print (a table, or `--json`).
 */
import { adminClient, type Api } from './admin-client.js';
import { UsageError, describeError } from './errors.js';
import { commandHelp } from './help.js';
import { parseFlags } from './parse.js';
import { completionWords, resolveId } from './resolve.js';
import type { Command, Ctx, FlagValue, Flags } from './spec.js';

export const PROG = 'scrapyard-master';
/** The hidden subcommand shell completion calls for the ids and names of a command's resource. */
export const IDS_SUB = '__ids';

/** The options of every admin command. */
export const GLOBAL_FLAGS: Flags = {
  config: {
    type: 'string',
    arg: 'FILE',
    help:
      "the master's config (for its address, TLS, credentials and data dir); default: the files the master reads " +
      'without --config (/etc/scrapyd/scrapyd.conf, …, ./scrapyd.conf, ~/.scrapyd.conf)',
  },
  'data-dir': {
    type: 'string',
    arg: 'DIR',
    help:
      "the master's data dir, whose admin-token is sent when the config has no username/password (default: the " +
      "config's data_dir, else ./scrapyard-data)",
  },
  url: {
    type: 'string',
    arg: 'URL',
    help: "the master's URL (default http(s)://<bind_address>:<http_port>, 127.0.0.1 for 0.0.0.0/::)",
  },
  'master-url': { type: 'string', arg: 'URL', help: '', aliasOf: 'url' },
  'ca-file': { type: 'string', arg: 'FILE', help: 'CA to verify an https master (default: its tls_cert)' },
  json: { type: 'boolean', help: 'print JSON (the API answer)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** The global flags as a command sees them: where `--url` is a field, the master's URL is `--master-url`. */
export function globalFlags(c: Command): Flags {
  if (!c.urlIsField) return GLOBAL_FLAGS;
  const { url, 'master-url': _alias, ...rest } = GLOBAL_FLAGS;
  return { ...rest, 'master-url': { ...url!, help: `${url!.help} (--url is the ${c.name}'s own)` } };
}

/** Where a command writes (a test passes its own). */
export interface Io {
  out(s: string): void;
  err(s: string): void;
}
const STDIO: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

function required(args: readonly string[]): number {
  return args.filter((a) => !a.startsWith('[')).length;
}

/** Runs one admin command (argv after its name); returns the exit code. */
export async function runCommand(
  c: Command,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io = STDIO,
): Promise<number> {
  const out = (s: string) => io.out(`${s}\n`);
  const global = globalFlags(c);
  try {
    const { values, positionals } = parseFlags(argv, { ...global, ...c.flags });
    const [name = c.defaultSub, ...args] = positionals;
    if (values.help === true || name === undefined) {
      out(commandHelp(PROG, c, global));
      return values.help === true ? 0 : 2;
    }
    if (name === IDS_SUB) return await printIds(c, values, env, out);
    const sub = c.subs.find((s) => s.name === name || s.aliases?.includes(name));
    if (!sub) throw new UsageError(`unknown ${c.name} command "${name}"`);
    const given = Object.keys(values).filter((k) => k in c.flags);
    const stray = given.filter((k) => !sub.flags?.includes(k));
    if (stray.length > 0) {
      const hint = c.urlIsField && stray.includes('url') ? ` (the master's URL is --master-url)` : '';
      throw new UsageError(`${sub.name} takes no --${stray.join(', --')}${hint}`);
    }
    const wanted = sub.args ?? [];
    if (args.length < required(wanted)) {
      const what = sub.resource ? `a ${sub.resource.noun} id or name` : wanted[args.length]!;
      throw new UsageError(`${sub.name} needs ${what}`);
    }
    if (args.length > wanted.length) {
      throw new UsageError(`unexpected arguments: ${args.slice(wanted.length).join(' ')}`);
    }
    const connect = connector(c, values, env);
    const api: Api = (method, path, body) => connect()(method, path, body);
    const ctx = context(c.name, sub.name, args, values, given, env, api, () => connect().masterUrl);
    sub.check?.(ctx);
    if (sub.resource) {
      args[0] = await resolveId(api, sub.resource, args[0]!);
      ctx.id = encodeURIComponent(args[0]);
    }
    const body = sub.body ? await sub.body(ctx) : undefined;
    const answer = sub.run ? await sub.run(ctx, body) : await api(sub.method, await sub.path(ctx), body);
    out(ctx.json ? JSON.stringify(sub.json ? sub.json(answer, ctx) : answer) : sub.print(answer, ctx));
    return 0;
  } catch (e) {
    const d = describeError(`${PROG} ${c.name}`, e);
    io.err(`${d.text}\n`);
    return d.exit;
  }
}

function connector(c: Command, values: Record<string, FlagValue>, env: NodeJS.ProcessEnv) {
  let client: ReturnType<typeof adminClient> | undefined;
  const url = c.urlIsField ? values['master-url'] : values.url;
  return () =>
    (client ??= adminClient(
      {
        config: values.config as string | undefined,
        'data-dir': values['data-dir'] as string | undefined,
        url: url as string | undefined,
        'ca-file': values['ca-file'] as string | undefined,
      },
      env,
    ));
}

/** `<command> __ids`: nothing (not an error) for a command without ids, so completion just offers no words. */
async function printIds(
  c: Command,
  values: Record<string, FlagValue>,
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
): Promise<number> {
  const resource = c.subs.find((s) => s.resource)?.resource;
  if (!resource) return 0;
  const connect = connector(c, values, env);
  const words = await completionWords((method, path, body) => connect()(method, path, body), resource);
  if (words.length > 0) out(words.join('\n'));
  return 0;
}

function context(
  command: string,
  sub: string,
  args: string[],
  values: Record<string, FlagValue>,
  given: readonly string[],
  env: NodeJS.ProcessEnv,
  api: Api,
  masterUrl: () => string,
): Ctx {
  const typed = <T>(flag: string, type: string) => (typeof values[flag] === type ? (values[flag] as T) : undefined);
  return {
    command,
    sub,
    args,
    id: args[0] === undefined ? '' : encodeURIComponent(args[0]),
    env,
    api,
    masterUrl,
    json: values.json === true,
    given,
    has: (flag) => values[flag] !== undefined,
    str: (flag) => typed<string>(flag, 'string'),
    num: (flag) => typed<number>(flag, 'number'),
    bool: (flag) => values[flag] === true,
    list: (flag) => (Array.isArray(values[flag]) ? (values[flag] as string[]) : undefined),
  };
}
