/**
 * Bodies of /api/v1/tokens (docs/auth.md, "API tokens"): a token's secret (`sy_…`) is answered once, at creation;
 * lists show its `hint` (its first characters) only.
 */
import { z } from 'zod';
import { EpochMs } from '../primitives.js';
import { ProjectScope, TokenRole } from './access.js';

/** `sy_`, 32 random base62 characters, 6 base62 characters of their CRC32 (so a scanner can check one offline). */
export const API_TOKEN_PATTERN = /^sy_[0-9A-Za-z]{32}[0-9A-Za-z]{6}$/;

export const CreateTokenRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: TokenRole,
    /** Default `*`: every project the role reaches (still capped by the creator's own grants). */
    projects: ProjectScope.optional(),
    /** Absent: never expires. An absolute time (ms since the epoch), in the future. */
    expiresAt: EpochMs.optional(),
    /** An admin's token for a service account (owned by nobody) instead of one acting for its creator. */
    serviceAccount: z.boolean().optional(),
  })
  .strict();
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

export const TokenState = z.enum(['active', 'expired', 'revoked']);

export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  /** The secret's first characters, to tell tokens apart (never enough to use one). */
  hint: z.string(),
  role: TokenRole,
  projects: ProjectScope,
  /** The user it acts for (capped by their grants at each use), or null: a service account's token. */
  ownerId: z.string().nullable(),
  createdBy: z.string(),
  createdAt: EpochMs,
  expiresAt: EpochMs.nullable(),
  /** Recorded coalesced: up to ~10 s late. */
  lastUsedAt: EpochMs.nullable(),
  revokedAt: EpochMs.nullable(),
  state: TokenState,
});
export type ApiToken = z.infer<typeof ApiToken>;

export const ApiTokenList = z.object({ tokens: z.array(ApiToken) });
export const ApiTokenResponse = z.object({ token: ApiToken });
/** The answer of a creation: the only time the secret is shown. */
export const CreatedApiToken = z.object({ token: ApiToken, secret: z.string().regex(API_TOKEN_PATTERN) });
