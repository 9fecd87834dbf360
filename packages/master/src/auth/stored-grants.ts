/**
 * Grants as the store keeps them (JSON text in `users.grants` and `api_tokens.grants`), read back through the
 * protocol's schema. A row written by hand or by a newer release may not parse: undefined then, and each caller
 * decides what that means (no reach at all, a refused session, a dead token).
 */
import { Grants, type Grant } from '@scrapyard/protocol';

export function storedGrants(json: string): Grant[] | undefined {
  try {
    const r = Grants.safeParse(JSON.parse(json));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
