/**
 * API tokens for scripts, CI and Prometheus: created by a user for themself (never wider than their own grants,
 * and capped by them at each use) or by an admin for a service account (owned by nobody); shown once, stored as a
 * digest (api-token-format.ts), revocable. The resolver that turns a presented token into a principal is
 * api-token-resolver.ts; it learns of every change from the `access.changed` events published here.
 */
import { randomBytes } from 'node:crypto';
import { CatalogueError, Grants, type ApiToken, type CreateTokenRequest, type Grant } from '@scrapyard/protocol';
import type { ApiTokenRow, ApiTokensRepo } from '../db/repos/api-tokens.js';
import type { DomainEvents } from '../events/domain-events.js';
import { mintToken } from './api-token-format.js';
import { actorOf, grantsOf, type Principal } from './principal.js';
import { grantsAllow, grantsWithin } from './roles.js';

export interface ApiTokensOptions {
  repo: ApiTokensRepo;
  events: DomainEvents;
  now: () => number;
}

/** Who a new token acts for, and the grants it may not exceed (null: an admin's, any). */
interface Creator {
  ownerId: string | null;
  ceiling: readonly Grant[] | null;
}

const describe = (grants: readonly Grant[]) =>
  grants.length === 0
    ? 'no grants'
    : grants.map((g) => `${g.role} on ${g.projects === '*' ? 'every project' : g.projects.join(', ')}`).join('; ');

export class ApiTokens {
  readonly #o: ApiTokensOptions;

  constructor(o: ApiTokensOptions) {
    this.#o = o;
  }

  async create(by: Principal, req: CreateTokenRequest): Promise<{ token: ApiToken; secret: string }> {
    const { ownerId, ceiling } = creatorOf(by, req.serviceAccount === true);
    const grant: Grant = { role: req.role, projects: req.projects ?? '*' };
    if (ceiling !== null && !grantsWithin([grant], ceiling)) {
      throw new CatalogueError(
        'TOKEN_TOO_WIDE',
        `a token may not reach beyond its creator's grants: asked for ${describe([grant])}, you hold ${describe(ceiling)}`,
      );
    }
    const at = this.#o.now();
    if (req.expiresAt !== undefined && req.expiresAt <= at) {
      throw new CatalogueError('BAD_REQUEST', 'body.expiresAt: must be in the future');
    }
    const { secret, digest, hint } = mintToken();
    const row: ApiTokenRow = {
      id: `tok_${randomBytes(8).toString('hex')}`,
      name: req.name,
      digest,
      hint,
      owner_id: ownerId,
      grants: JSON.stringify([grant]),
      created_by: creatorName(by),
      created_at: at,
      expires_at: req.expiresAt ?? null,
      last_used_at: null,
      revoked_at: null,
    };
    await this.#o.repo.insert(row);
    this.#publish(row, 'created', { role: grant.role, projects: grant.projects, expiresAt: row.expires_at });
    return { token: this.#view(row), secret };
  }

  /** An admin sees every token; anyone else the tokens they own. */
  async list(by: Principal): Promise<ApiToken[]> {
    const own = ownerIdOf(by);
    if (!isAdmin(by) && own === null) return [];
    return (await this.#o.repo.list(isAdmin(by) ? undefined : (own ?? undefined))).map((r) => this.#view(r));
  }

  /** Effective at once (the resolver drops its cache on the event). Someone else's token is NOT_FOUND to a non-admin. */
  async revoke(by: Principal, id: string): Promise<ApiToken> {
    const row = await this.#o.repo.get(id);
    if (row === undefined || (!isAdmin(by) && (row.owner_id === null || row.owner_id !== ownerIdOf(by)))) {
      throw new CatalogueError('NOT_FOUND', `no token ${id}`, { id });
    }
    if (row.revoked_at !== null) return this.#view(row);
    await this.#o.repo.revoke(id, this.#o.now());
    const revoked = (await this.#o.repo.get(id)) ?? row;
    this.#publish(revoked, 'revoked', { by: creatorName(by) });
    return this.#view(revoked);
  }

  #publish(row: ApiTokenRow, change: 'created' | 'revoked', summary: Record<string, unknown>): void {
    this.#o.events.publish({
      type: 'access.changed',
      entity: 'token',
      id: row.id,
      name: row.name,
      change,
      userId: row.owner_id,
      summary,
    });
  }

  #view(r: ApiTokenRow): ApiToken {
    const [grant] = Grants.parse(JSON.parse(r.grants));
    const now = this.#o.now();
    return {
      id: r.id,
      name: r.name,
      hint: r.hint,
      role: grant?.role ?? 'viewer',
      projects: grant?.projects ?? '*',
      ownerId: r.owner_id,
      createdBy: r.created_by,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
      state: r.revoked_at !== null ? 'revoked' : r.expires_at !== null && r.expires_at <= now ? 'expired' : 'active',
    };
  }
}

const isAdmin = (p: Principal) => grantsAllow(grantsOf(p), 'admin');

/** The user a principal acts for: a person, or the owner of a user's token. */
function ownerIdOf(p: Principal): string | null {
  if (p.kind === 'user') return p.userId;
  if (p.kind === 'token') return p.ownerId;
  return null;
}

function creatorOf(by: Principal, serviceAccount: boolean): Creator {
  if (by.kind === 'user' && !serviceAccount) return { ownerId: by.userId, ceiling: by.grants };
  if (by.kind === 'token' && !serviceAccount && by.ownerId !== null && !isAdmin(by)) {
    throw new CatalogueError('FORBIDDEN', 'a token may not create tokens: use your password or a browser session');
  }
  if (isAdmin(by)) return { ownerId: by.kind === 'token' && !serviceAccount ? by.ownerId : null, ceiling: null };
  throw new CatalogueError(
    'FORBIDDEN',
    serviceAccount ? "only an admin may create a service account's token" : 'only a user or an admin may create tokens',
  );
}

function creatorName(p: Principal): string {
  const a = actorOf(p);
  if (p.kind === 'admin') return 'admin token';
  return a.name ?? a.kind;
}
