/** What several commands share: the answer of a delete, and a request body read from `--json-body FILE`. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CliError, UsageError } from '../errors.js';
import type { Ctx, Flag } from '../spec.js';

/** What `delete … --json` prints (the API answers 204 with no body). */
export const DELETED = z.object({ deleted: z.string() });
export const deleted = (_a: unknown, c: Ctx) => ({ deleted: c.args.join('/') });

export const JSON_BODY_FLAG: Flag = {
  type: 'string',
  arg: 'FILE',
  help: "create/update: send this file's JSON as the request body (- for stdin) instead of the field flags",
};

/** `--json-body FILE` (- for stdin) parsed as JSON. */
export function readJsonBody(file: string): unknown {
  let text;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError('BAD_REQUEST', `cannot read --json-body ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError('BAD_REQUEST', `--json-body ${file} is not JSON: ${(e as Error).message}`);
  }
}

/**
 * The body: `--json-body` as is, or what the field flags make (not both: which would win is not obvious).
 * `notFields`: the flags of the subcommand that are not fields.
 */
export async function bodyOf(c: Ctx, notFields: readonly string[], fromFlags: () => unknown): Promise<unknown> {
  const file = c.str('json-body');
  if (file === undefined) return fromFlags();
  const fields = c.given.filter((f) => f !== 'json-body' && !notFields.includes(f));
  if (fields.length > 0) throw new UsageError(`--json-body replaces the field flags: drop --${fields.join(', --')}`);
  return readJsonBody(file);
}
