/**
 * The `metrics_token` of the config as an API token row: a service account's token of role `metrics`, named
 * `metrics_token (config)`, stored only as its SHA-256 like every token, so `token list` shows it and `token
 * revoke` ends it at once. Its value is the operator's (any shape, not `sy_…`), so the resolver accepts it by
 * digest (api-token-resolver.ts). At each start the row follows the config:
 * - a value without a row gets one; a value whose row was revoked stays revoked (a revocation is a decision the
 *   config must not undo silently): the master warns, naming the key, and /metrics refuses the value until the
 *   operator sets a new one;
 * - an active row of a value no longer configured (the key removed or changed) is deleted, so the old value stops
 *   working and putting it back later makes a fresh row. Revoked rows stay listed as history.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiTokensRepo } from '../db/repos/api-tokens.js';
import type { DomainEvents } from '../events/domain-events.js';
import { tokenDigest } from './api-token-format.js';

export const CONFIG_METRICS_TOKEN_NAME = 'metrics_token (config)';
/** Ids of config rows; minted ids are `tok_` and hex, so no created token can carry it. */
const CONFIG_ID_PREFIX = 'tok_cfg_';
/** Listed in place of the secret's first characters: the operator chose the value, none of it is shown. */
const CONFIG_HINT = '(config)';

export interface ConfigMetricsTokenOptions {
  repo: Pick<ApiTokensRepo, 'list' | 'byDigest' | 'insert' | 'delete'>;
  events: DomainEvents;
  logger: Logger;
  now: () => number;
  /** The configured value; empty: none. */
  secret: string;
}

/** Brings the row in line with the config; returns the digest (hex) the resolver accepts, if a value is set. */
export async function syncConfigMetricsToken(o: ConfigMetricsTokenOptions): Promise<string | undefined> {
  const digest = o.secret === '' ? undefined : tokenDigest(o.secret);
  for (const row of await o.repo.list()) {
    if (!row.id.startsWith(CONFIG_ID_PREFIX) || row.digest === digest || row.revoked_at !== null) continue;
    if (await o.repo.delete(row.id)) {
      publish(o, row.id, 'deleted', { reason: 'metrics_token is no longer in the config' });
    }
  }
  if (digest === undefined) return undefined;
  const found = await o.repo.byDigest(digest);
  if (found !== undefined) {
    if (found.token.revoked_at !== null) {
      o.logger.warn(
        { tokenId: found.token.id, key: 'metrics_token' },
        'the metrics_token of the config was revoked: /metrics refuses it; set a new metrics_token or remove the key',
      );
    }
    return digest;
  }
  const id = `${CONFIG_ID_PREFIX}${randomBytes(8).toString('hex')}`;
  try {
    await o.repo.insert({
      id,
      name: CONFIG_METRICS_TOKEN_NAME,
      digest,
      hint: CONFIG_HINT,
      owner_id: null,
      grants: JSON.stringify([{ role: 'metrics', projects: '*' }]),
      created_by: 'config',
      created_at: o.now(),
      expires_at: null,
      last_used_at: null,
      revoked_at: null,
    });
  } catch (e) {
    // Another master on the same database inserted it first (the digest is unique): theirs serves.
    if ((await o.repo.byDigest(digest)) !== undefined) return digest;
    throw e;
  }
  publish(o, id, 'created', { role: 'metrics', projects: '*', from: 'metrics_token' });
  return digest;
}

function publish(o: ConfigMetricsTokenOptions, id: string, change: 'created' | 'deleted', summary: object): void {
  o.events.publish({
    type: 'access.changed',
    entity: 'token',
    id,
    name: CONFIG_METRICS_TOKEN_NAME,
    change,
    userId: null,
    summary: { ...summary },
  });
}
