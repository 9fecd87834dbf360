/**
 * The two ways a command fails. A usage error (exit 2) is about the command line itself and ends with a pointer to
 * `--help`; a failure (exit 1) carries a code from the protocol's error catalogue, the one the master's API uses.
 */
import { CatalogueError, errorWithCode } from '@scrapyard/protocol';
import { ConfigError } from '../config-load.js';

/** The command line is wrong: exit 2. */
export class UsageError extends errorWithCode('USAGE') {}

/** The command could not do its work: exit 1, printed as `CODE: message`. */
export class CliError extends CatalogueError {}

/** The one line (or lines) a user sees for an error, and the exit code. */
export function describeError(prog: string, e: unknown): { text: string; exit: number } {
  if (e instanceof UsageError) return { text: `${prog}: ${e.message}\n(see ${prog} --help)`, exit: 2 };
  if (e instanceof ConfigError) return { text: `${prog}: ${e.message}`, exit: 2 };
  if (e instanceof CliError) return { text: `${prog}: ${e.code}: ${e.message}`, exit: 1 };
  return { text: `${prog}: INTERNAL: ${(e as Error).stack ?? String(e)}`, exit: 1 };
}
