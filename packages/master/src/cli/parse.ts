/**
 * The command line against a flag table: node:util's parseArgs splits it (tokens, non-strict), and every check
 * is ours, so that no parser text ("Unknown option '--x'. To specify a positional argument…") reaches a user.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import type { FlagValue, Flags } from './spec.js';
import { durationValue, numberValue } from './values.js';

export interface Parsed {
  /** By the flag's own name (an alias's value is under the flag it names). */
  values: Record<string, FlagValue>;
  positionals: string[];
}

export function parseFlags(argv: readonly string[], flags: Flags): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, f] of Object.entries(flags)) {
    options[name] = { type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.short ? { short: f.short } : {}) };
  }
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, FlagValue> = {};
  const positionals: string[] = [];
  const seenAs = new Map<string, string>();
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const spec = flags[t.name];
    if (!spec) throw new UsageError(`unknown flag ${t.rawName}`);
    const name = spec.aliasOf ?? t.name;
    const type = flags[name]?.type ?? spec.type;
    const earlier = seenAs.get(name);
    if (earlier !== undefined && earlier !== t.rawName) {
      throw new UsageError(`${earlier} and ${t.rawName} are the same flag: give one`);
    }
    seenAs.set(name, t.rawName);
    if (type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`${t.rawName} takes no value`);
      values[name] = true;
      continue;
    }
    const raw = t.value;
    // parseArgs hands a string flag the next word even when that is another flag (`--port --json`).
    if (raw === undefined || (!t.inlineValue && raw.startsWith('--') && raw.slice(2).split('=')[0]! in flags)) {
      throw new UsageError(`${t.rawName} needs a value${spec.arg ? ` (${spec.arg})` : ''}`);
    }
    const flag = t.rawName.replace(/^-+/, '');
    if (type === 'number') values[name] = numberValue(flag, raw);
    else if (type === 'duration') values[name] = durationValue(flag, raw);
    else if (type === 'list') values[name] = [...((values[name] as string[] | undefined) ?? []), raw];
    else values[name] = raw;
  }
  return { values, positionals };
}
