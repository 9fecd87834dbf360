/**
 * What `webhook …` and `channel …` share: the subcommands of every delivery target (list, show, create, update,
 * delete, test, deliveries), secrets read from a file or the environment (never from the command line, where
 * shell history and `ps` would keep them), the one-time display of a generated secret, and the delivery log.
 */
import { readFileSync } from 'node:fs';
import { DeliveryPage, TestDeliveryResponse, type Delivery } from '@scrapyard/protocol';
import type { ZodType } from 'zod';
import { CliError, UsageError } from '../errors.js';
import type { Command, Ctx, Flags, Resource, Sub } from '../spec.js';
import { table, when } from '../values.js';
import { DELETED, JSON_BODY_FLAG, bodyOf, deleted } from './shared.js';

/** The flags of every target command besides its fields. */
const TARGET_FLAGS: Flags = {
  'json-body': { ...JSON_BODY_FLAG, help: `${JSON_BODY_FLAG.help} (the API's field names, docs/webhooks.md)` },
  state: { type: 'string', arg: 'STATE', help: 'deliveries: pending, delivered or dead' },
  limit: { type: 'number', arg: 'N', help: 'deliveries: how many, newest first (default 20)' },
};

/**
 * A secret's flags: `--<name>-file FILE` and `--<name>-env VAR`, and `--<name>` itself, accepted by the parser only
 * to be refused with advice. `help` starts with the kind it is for (`email: …`), if any.
 */
export function secretFlags(name: string, help: string): Flags {
  const kind = /^(\w+): /.exec(help)?.[0] ?? '';
  return {
    [`${name}-file`]: { type: 'string', arg: 'FILE', help },
    [`${name}-env`]: { type: 'string', arg: 'VAR', help: `${kind}the same, from an environment variable` },
    [name]: { type: 'string', help: '', hidden: true },
  };
}

/**
 * A secret from `--<name>-file FILE` (its content, without the final newline) or `--<name>-env VAR`; undefined
 * when neither is given.
 */
export function secretFrom(c: Ctx, name: string): string | undefined {
  const file = c.str(`${name}-file`);
  const envVar = c.str(`${name}-env`);
  if (file !== undefined && envVar !== undefined) {
    throw new UsageError(`give --${name}-file or --${name}-env, not both`);
  }
  if (file !== undefined) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError('BAD_REQUEST', `cannot read --${name}-file ${file}: ${(e as Error).message}`);
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') throw new CliError('BAD_REQUEST', `--${name}-file ${file} is empty`);
    return value;
  }
  if (envVar !== undefined) {
    const value = c.env[envVar];
    if (value === undefined || value === '') throw new CliError('BAD_REQUEST', `--${name}-env: ${envVar} is not set`);
    return value;
  }
  return undefined;
}

/** Refuses secrets given as plain flags, saying what to do instead. */
function refusePlainSecrets(c: Ctx, flags: Flags): void {
  const flag = c.given.find((f) => flags[f]?.hidden);
  if (flag !== undefined) {
    throw new UsageError(
      `secrets are not taken on the command line, where shell history and ps would show them: ` +
        `use --${flag}-file FILE or --${flag}-env VAR instead of --${flag}`,
    );
  }
}

/** The lines that show a secret the master generated: the only time anyone sees it. */
export function secretLines(label: string, secret: string | undefined): string {
  return secret === undefined
    ? ''
    : `\n${label}: ${secret}\nThis secret will not be shown again: store it now (a lost one can only be replaced).`;
}

function deliveryTable(list: Delivery[]): string {
  const rows = [['ID', 'EVENT', 'STATE', 'ATTEMPTS', 'HTTP', 'LATENCY', 'CREATED', 'DELIVERED/NEXT', 'LAST ERROR']];
  for (const d of list) {
    rows.push([
      d.id,
      d.event,
      d.state,
      String(d.attempts),
      d.lastStatus === null ? '-' : String(d.lastStatus),
      d.latencyMs === null ? '-' : `${d.latencyMs} ms`,
      when(d.createdAt),
      d.state === 'pending' ? `next ${when(d.nextAt)}` : when(d.deliveredAt),
      d.lastError ?? '',
    ]);
  }
  return table(rows);
}

/** What a target command brings: its field flags, bodies and printers. */
export interface TargetSpec {
  resource: Resource;
  summary: string;
  notes?: string;
  fields: Flags;
  listSummary: string;
  createUsage: string;
  createSummary: string;
  updateUsage: string;
  updateSummary: string;
  createBody(c: Ctx): unknown;
  /** The PATCH body; `current()` fetches the target as it is. */
  updateBody(c: Ctx, current: () => Promise<unknown>): Promise<Record<string, unknown>>;
  list(answer: unknown): string;
  show(answer: unknown): string;
  /** `sent`: the request body (a secret of the user's own is not echoed). */
  saved(answer: unknown, verb: 'created' | 'updated', sent: unknown): string;
  listOutput: ZodType;
  oneOutput: ZodType;
  savedOutput: ZodType;
}

/** A webhook or channel command from its spec. */
export function targetCommand(t: TargetSpec): Command {
  const noun = t.resource.noun;
  const base = `/${noun}s`;
  const fields = Object.keys(t.fields);
  const one = (s: Omit<Sub, 'args' | 'resource'>): Sub => ({ ...s, args: ['ID|NAME'], resource: t.resource });
  const sent = new WeakMap<Ctx, unknown>();
  const remember = (c: Ctx, body: unknown) => (sent.set(c, body), body);
  const writing = { flags: [...fields, 'json-body'], check: (c: Ctx) => refusePlainSecrets(c, t.fields) };
  const subs: Sub[] = [
    {
      name: 'list',
      summary: t.listSummary,
      method: 'GET',
      path: () => base,
      print: t.list,
      output: t.listOutput,
    },
    one({
      name: 'show',
      summary: `one ${noun} (its secrets are never shown again)`,
      method: 'GET',
      path: (c) => `${base}/${c.id}`,
      print: t.show,
      output: t.oneOutput,
    }),
    {
      name: 'create',
      usage: t.createUsage,
      summary: t.createSummary,
      ...writing,
      method: 'POST',
      path: () => base,
      body: async (c) => remember(c, await bodyOf(c, [], () => t.createBody(c))),
      print: (a, c) => t.saved(a, 'created', sent.get(c)),
      output: t.savedOutput,
    },
    one({
      name: 'update',
      usage: t.updateUsage,
      summary: t.updateSummary,
      ...writing,
      method: 'PATCH',
      path: (c) => `${base}/${c.id}`,
      body: async (c) =>
        remember(
          c,
          await bodyOf(c, [], async () => {
            const b = await t.updateBody(c, () => c.api('GET', `${base}/${c.id}`));
            if (Object.keys(b).length > 0) return b;
            throw new UsageError('nothing to update: give the fields to change');
          }),
        ),
      print: (a, c) => t.saved(a, 'updated', sent.get(c)),
      output: t.savedOutput,
    }),
    one({
      name: 'delete',
      summary: `delete the ${noun} and its delivery log`,
      method: 'DELETE',
      path: (c) => `${base}/${c.id}`,
      print: (_a, c) => `deleted: ${c.args[0]}`,
      json: deleted,
      output: DELETED,
    }),
    one({
      name: 'test',
      summary: noun === 'webhook' ? 'send it a signed webhook.test delivery' : 'send it a test notification',
      method: 'POST',
      path: (c) => `${base}/${c.id}/test`,
      print: (a, c) =>
        `test delivery queued: ${TestDeliveryResponse.parse(a).delivery.id} (see scrapyard-master ${noun} deliveries ${c.args[0]})`,
      output: TestDeliveryResponse,
    }),
    one({
      name: 'deliveries',
      usage: '[--state pending|delivered|dead] [--limit N]',
      summary: 'its delivery log, newest first (default 20)',
      flags: ['state', 'limit'],
      method: 'GET',
      path(c) {
        const q = new URLSearchParams({ limit: String(c.num('limit') ?? 20) });
        if (c.has('state')) q.set('state', c.str('state')!);
        return `${base}/${c.id}/deliveries?${q}`;
      },
      print: (a) => deliveryTable(DeliveryPage.parse(a).deliveries),
      output: DeliveryPage,
    }),
  ];
  return {
    name: noun,
    summary: t.summary,
    flags: { ...t.fields, ...TARGET_FLAGS },
    subs,
    notes: `Secrets are read from a file or an environment variable, never from the command line (shell history, ps).${t.notes ? `\n\n${t.notes}` : ''}`,
    urlIsField: true,
  };
}
