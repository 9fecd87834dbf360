/**
 * Ids or unique names, resolved in one place: an argument that does not look like the resource's id is looked up
 * by name in its list (the REST routes take ids only).
 */
import { z } from 'zod';
import type { Api } from './admin-client.js';
import { CliError } from './errors.js';
import type { Resource } from './spec.js';

const Named = z.array(z.object({ id: z.string(), name: z.string().nullable().optional() }));

/** Every id and every name without spaces of a resource, one per line (what shell completion offers). */
export async function completionWords(api: Api, r: Resource): Promise<string[]> {
  const items = Named.parse(((await api('GET', r.list)) as Record<string, unknown>)[r.key]);
  return items.flatMap((i) => [i.id, ...(i.name && !/\s/.test(i.name) ? [i.name] : [])]);
}

export async function resolveId(api: Api, r: Resource, given: string): Promise<string> {
  if (r.idPattern.test(given)) return given;
  const items = Named.parse(((await api('GET', r.list)) as Record<string, unknown>)[r.key]);
  if (items.some((i) => i.id === given)) return given;
  const named = items.filter((i) => i.name === given);
  if (named.length === 1) return named[0]!.id;
  if (named.length === 0) throw new CliError('NOT_FOUND', `no ${r.noun} named '${given}'`);
  throw new CliError(
    'CONFLICT',
    `${named.length} ${r.noun}s are named '${given}' (${named.map((i) => i.id).join(', ')}): give the id`,
  );
}
