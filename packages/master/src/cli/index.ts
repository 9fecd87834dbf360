/**
 * scrapyard-master's command line: the admin commands (tables run by runner.ts), `completion`, `migrate`, and the
 * master's own flags (the default command). main.ts starts the master when this returns `run`.
 */
import { homedir } from 'node:os';
import { discoverConfigFiles } from '../config-files.js';
import { loadMasterConfig } from '../config.js';
import { ALERT_COMMAND } from './commands/alert.js';
import { AUDIT_COMMAND } from './commands/audit.js';
import { CHANNEL_COMMAND } from './commands/channel.js';
import { NODE } from './commands/node.js';
import { POLICY_COMMAND } from './commands/policy.js';
import { SCHEDULE_COMMAND } from './commands/schedule.js';
import { USER_COMMAND } from './commands/user.js';
import { SESSION_COMMAND } from './commands/session.js';
import { TOKEN_COMMAND } from './commands/token.js';
import { WEBHOOK_COMMAND } from './commands/webhook.js';
import { bashCompletion, zshCompletion } from './completion.js';
import { UsageError, describeError } from './errors.js';
import { MIGRATE_FLAGS, masterHelp, parseMasterArgs } from './master-flags.js';
import { PROG, runCommand } from './runner.js';
import type { Command } from './spec.js';

/** Every admin command; a new one is a table added here. */
export const COMMANDS: readonly Command[] = [
  NODE,
  SCHEDULE_COMMAND,
  POLICY_COMMAND,
  WEBHOOK_COMMAND,
  CHANNEL_COMMAND,
  ALERT_COMMAND,
  USER_COMMAND,
  SESSION_COMMAND,
  AUDIT_COMMAND,
  TOKEN_COMMAND,
];

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
  const command = COMMANDS.find((c) => c.name === first);
  if (command) return exit(await runCommand(command, rest, env));
  if (first === 'completion') return exit(completion(rest));
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
    process.stdout.write(`${masterHelp(COMMANDS)}\n`);
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

function completion(args: readonly string[]): number {
  const [shell, ...extra] = args;
  try {
    if (shell === 'bash' && extra.length === 0) process.stdout.write(bashCompletion(COMMANDS));
    else if (shell === 'zsh' && extra.length === 0) process.stdout.write(zshCompletion(COMMANDS));
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
