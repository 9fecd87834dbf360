/**
 * Where each master config value came from, so a problem names the key as the user wrote it and its source
 * (config.ts builds the map while it merges files, environment and flags).
 */
import { closestName, describeIssue, type ConfigOrigin } from '@scrapyard/protocol';
import type { z } from 'zod';

export type Origins = Map<string, ConfigOrigin>;

/** Values never repeated in a message. */
const SECRETS = new Set(['password', 'databaseUrl', 'secretsKey', 'metricsToken', 'temporaryNodeSecret']);

/** scrapyard-master's flags (cli.ts) by the config key they set. */
const FLAGS: Record<string, string> = {
  bindAddress: '--bind',
  httpPort: '--port',
  dataDir: '--data-dir',
  databaseUrl: '--database-url',
  localAgent: '--no-local-agent',
  python: '--python',
  tlsCert: '--tls-cert',
  tlsKey: '--tls-key',
};

export const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Flags that set config keys (programmatic callers may set other keys: those are named by their key). */
export function flagOrigins(flags: Record<string, unknown>): Origins {
  const set = Object.keys(flags).filter((k) => FLAGS[k] !== undefined);
  return new Map(set.map((k) => [k, { kind: 'flag', flag: FLAGS[k]! }]));
}

/** A number's unit, said when the value is not a number (`5m` where seconds are expected). */
function unitOf(key: string): string | undefined {
  if (/Seconds$|^heartbeatTimeout$|^lostGrace$/.test(key)) return 'seconds';
  if (/Hours$/.test(key)) return 'hours';
  if (/Bytes$/.test(key)) return 'bytes';
  return undefined;
}

export function describeMasterIssue(issue: z.core.$ZodIssue, origins: Origins): string {
  return describeIssue(issue, { origins, keyName: snake, secrets: SECRETS, unitOf });
}

/** `bogus_key in FILE [scrapyd]: unknown key (did you mean …?)`; the value is not repeated (it may be a secret). */
export function unknownKey(path: string, section: string, key: string, known: string[], what = 'key'): string {
  const near = closestName(key, known);
  return `${key} in ${path} [${section}]: unknown ${what}${near ? ` (did you mean ${near}?)` : ''}`;
}
