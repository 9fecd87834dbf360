/**
 * scrapyard-master's command line: the admin commands (tables run by runner.ts), `completion`, `migrate`, and the
 * master's own flags (the default command). main.ts starts the master when this returns `run`.
 */
import { homedir } from 'node:os';
import { discoverConfigFiles } from '../config-files.js';
import { loadMasterConfig } from '../config-load.js';
import { bashCompletion, zshCompletion } from './completion.js';
import { UsageError, describeError } from './errors.js';
import { MIGRATE_FLAGS, masterHelp, parseMasterArgs } from './master-flags.js';
import { PROG, runCommand } from './runner.js';
import type { Command } from './spec.js';

/**
 * The admin commands' names (their tables are in commands/all.ts): the tables are loaded only to run a command,
 * print help or completion, so the master's own start holds none of them.
 */
export const COMMAND_NAMES: readonly string[] = [
  'node',
  'schedule',
  'policy',
  'webhook',
  'channel',
  'alert',
  'user',
  'session',
  'audit',
  'token',
];

export async function loadCommands(): Promise<readonly Command[]> {
  return (await import('./commands/all.js')).COMMANDS;
}

export type CliOutcome =
  | { kind: 'exit'; code: number }
  | { kind: 'run'; configFile: string | undefined; flags: Record<string, unknown>; discovered: string[] };

const exit = (code: number): CliOutcome => ({ kind: 'exit', code });

/** Runs a command, or says what the master should start with. */
export async function runMasterCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  version: string,
): Promise<CliOutcome> {
  const [first, ...rest] = argv;
  if (first !== undefined && COMMAND_NAMES.includes(first)) {
    const command = (await loadCommands()).find((c) => c.name === first)!;
    return exit(await runCommand(command, rest, env));
  }
  if (first === 'completion') return exit(completion(rest, await loadCommands()));
  const migrating = first === 'migrate';
  const prog = migrating ? `${PROG} migrate` : PROG;
  let args;
  try {
    args = parseMasterArgs(migrating ? rest : argv, migrating ? MIGRATE_FLAGS : undefined);
  } catch (e) {
    const d = describeError(prog, e);
    process.stderr.write(`${d.text}\n`);
    return exit(d.exit);
  }
  if (args.kind === 'help') {
    process.stdout.write(`${masterHelp(await loadCommands())}\n`);
    return exit(0);
  }
  if (args.kind === 'version') {
    process.stdout.write(`${PROG} ${version}\n`);
    return exit(0);
  }
  // Without --config, Scrapyd's own files are read (so a Scrapyd host switches over as it is).
  const discovered =
    args.configFile === undefined ? discoverConfigFiles(env, { cwd: process.cwd(), home: homedir() }) : [];
  if (migrating) {
    const { configFile, flags } = args;
    // The store's modules are loaded only by the command that needs them (admin commands start faster).
    const { runMigrateCommand } = await import('./commands/migrate.js');
    return exit(await runMigrateCommand(() => loadMasterConfig({ file: configFile, discovered, env, flags })));
  }
  return { kind: 'run', configFile: args.configFile, flags: args.flags, discovered };
}

function completion(args: readonly string[], commands: readonly Command[]): number {
  const [shell, ...extra] = args;
  try {
    if (shell === 'bash' && extra.length === 0) process.stdout.write(bashCompletion(commands));
    else if (shell === 'zsh' && extra.length === 0) process.stdout.write(zshCompletion(commands));
    else if (shell === '--help' || shell === '-h') {
      process.stdout.write(
        'Usage: scrapyard-master completion bash|zsh\n\nPrints a shell completion script: source <(scrapyard-master completion bash)\n',
      );
    } else {
      throw new UsageError(`completion takes bash or zsh${shell === undefined ? '' : `, not '${args.join(' ')}'`}`);
    }
    return 0;
  } catch (e) {
    const d = describeError(`${PROG} completion`, e);
    process.stderr.write(`${d.text}\n`);
    return d.exit;
  }
}
