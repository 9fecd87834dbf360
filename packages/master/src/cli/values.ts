/** Small flag parsers and formatters the admin subcommands share (`schedule`, `webhook`, `channel`, `alert`, `policy`). */
import { CliError } from './admin-client.js';

/** A numeric flag's value, or undefined when the flag is absent. */
export function num(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${flag} must be a number, not '${raw}'`);
  return n;
}

/** An ISO timestamp, or '-' for none. */
export const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** The entries that are not undefined (absent flags are left out of a body, so `update` changes only the rest). */
export function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
}

/** A switch with an opposite (`--items` / `--no-items`): true, false, or undefined when neither is given. */
export function either(
  yes: boolean | undefined,
  no: boolean | undefined,
  flags: [string, string],
): boolean | undefined {
  if (yes && no) throw new CliError(`--${flags[0]} and --${flags[1]} contradict each other`);
  return yes ? true : no ? false : undefined;
}

/** A repeatable flag's values, each also split on commas (`--event a --event b,c`); undefined when absent. */
export function commaList(values: string[] | undefined): string[] | undefined {
  return values
    ?.flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
