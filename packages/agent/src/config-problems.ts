/**
 * The agent's config problems in the user's words: the JSON key as written and the file, or the environment
 * variable and its value (shared wording with the master: describeIssue in the protocol package).
 */
import { closestName, describeIssue, type ConfigOrigin } from '@scrapyard/protocol';
import type { z } from 'zod';

const unitOf = (key: string) => (key.endsWith('Ms') ? 'milliseconds' : key.endsWith('Days') ? 'days' : undefined);

export function describeAgentIssue(issue: z.core.$ZodIssue, origins: ReadonlyMap<string, ConfigOrigin>): string {
  return describeIssue(issue, { origins, keyName: (k) => k, secrets: new Set(), unitOf });
}

/** `slotz in FILE: unknown key (did you mean slots?)` for every key of the file the schema does not have. */
export function unknownFileKeys(file: string, values: Record<string, unknown>, known: string[]): string[] {
  return Object.keys(values)
    .filter((k) => !known.includes(k))
    .map((k) => {
      const near = closestName(k, known);
      return `${k} in ${file}: unknown key${near ? ` (did you mean ${near}?)` : ''}`;
    });
}

/** The file's JSON object, or the reason it is not one. */
export function parseJsonObject(file: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file}: expected a JSON object ({"masterUrl": "ws://…", …})`);
  }
  return value as Record<string, unknown>;
}
