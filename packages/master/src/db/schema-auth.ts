/** Tables of people, tokens, sessions and the audit log (migration 0010). Kept apart from schema.ts for size. */
import type { Generated } from 'kysely';

/** A person. `grants`: JSON of the protocol's `Grants`; `password_hash`: auth/passwords.ts's self-describing string. */
export interface UsersTable {
  id: string;
  name: string;
  password_hash: string;
  grants: string;
  /** 0 or 1. */
  disabled: number;
  created_at: number;
  updated_at: number;
  password_changed_at: number;
}

/** An API token: only its SHA-256 `digest` (hex) is kept; `hint` is its first characters, shown in lists. */
export interface ApiTokensTable {
  id: string;
  name: string;
  digest: string;
  hint: string;
  /** The user it acts for (capped by their grants at use), or null for a service account's token. */
  owner_id: string | null;
  grants: string;
  /** Who created it (an actor name, for lists and the audit log). */
  created_by: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A browser session; the cookie's value is kept only as its SHA-256 `digest` (hex). */
export interface BrowserSessionsTable {
  id: string;
  digest: string;
  user_id: string;
  address: string;
  user_agent: string;
  created_at: number;
  last_seen_at: number;
  /** The absolute expiry; the idle one is `last_seen_at` + the configured idle time. */
  expires_at: number;
}

/** One audited action; append-only (retention deletes the oldest). `summary`: JSON, never a secret. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target: string | null;
  project: string | null;
  summary: string;
  address: string | null;
}

export interface AuthTables {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  browser_sessions: BrowserSessionsTable;
  audit_log: AuditLogTable;
}
