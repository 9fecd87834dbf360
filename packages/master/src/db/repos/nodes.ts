/** Registered nodes and enrollment keys. Secrets never reach this table: only SCRAM stored keys and hashes. */
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { EnrollmentsTable, NodesTable } from '../schema.js';

export type NodeRow = Selectable<NodesTable>;
export type EnrollmentRow = Selectable<EnrollmentsTable>;

export interface NodeSighting {
  lastSeen: number;
  hostname: string;
  address: string;
  agentVersion: string;
  tags: string[];
  slots: number;
  dedicated: boolean;
}

export function createNodesRepo(db: Db) {
  return {
    all: (): Promise<NodeRow[]> => db.selectFrom('nodes').selectAll().orderBy('node_id').execute(),

    get: (nodeId: string): Promise<NodeRow | undefined> =>
      db.selectFrom('nodes').selectAll().where('node_id', '=', nodeId).executeTakeFirst(),

    async createEnrollment(e: EnrollmentRow): Promise<void> {
      await db.insertInto('enrollments').values(e).execute();
    },

    getEnrollment: (keyId: string): Promise<EnrollmentRow | undefined> =>
      db.selectFrom('enrollments').selectAll().where('key_id', '=', keyId).executeTakeFirst(),

    /** Marks a key used; false when it was used or expired meanwhile (so two racing registrations can't both win). */
    async consumeEnrollment(keyId: string, now: number, usedBy: string): Promise<boolean> {
      const res = await db
        .updateTable('enrollments')
        .set({ used_at: now, used_by: usedBy })
        .where('key_id', '=', keyId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Drops keys that expired more than a day ago (used or not): they can never be used again. */
    async pruneEnrollments(before: number): Promise<void> {
      await db.deleteFrom('enrollments').where('expires_at', '<', before).execute();
    },

    /** A new node, or a re-enrolled one: its credential is replaced and any revocation lifted. */
    async putCredential(nodeId: string, storedKey: string, now: number): Promise<void> {
      await db
        .insertInto('nodes')
        .values({ node_id: nodeId, stored_key: storedKey, pending_stored_key: null, created_at: now })
        .onConflict((oc) =>
          oc.column('node_id').doUpdateSet({ stored_key: storedKey, pending_stored_key: null, revoked_at: null }),
        )
        .execute();
    },

    async setPendingKey(nodeId: string, storedKey: string | null): Promise<void> {
      await db.updateTable('nodes').set({ pending_stored_key: storedKey }).where('node_id', '=', nodeId).execute();
    },

    /** The agent proved it holds the rotated secret: it becomes the only valid one. */
    async promotePendingKey(nodeId: string, pendingStoredKey: string): Promise<void> {
      await db
        .updateTable('nodes')
        .set({ stored_key: pendingStoredKey, pending_stored_key: null })
        .where('node_id', '=', nodeId)
        .where('pending_stored_key', '=', pendingStoredKey)
        .execute();
    },

    async revoke(nodeId: string, now: number): Promise<void> {
      await db
        .updateTable('nodes')
        .set({ revoked_at: now, pending_stored_key: null })
        .where('node_id', '=', nodeId)
        .execute();
    },

    async setCordoned(nodeId: string, cordoned: boolean): Promise<void> {
      await db
        .updateTable('nodes')
        .set({ cordoned: cordoned ? 1 : 0 })
        .where('node_id', '=', nodeId)
        .execute();
    },

    async recordSighting(nodeId: string, s: NodeSighting): Promise<void> {
      await db
        .updateTable('nodes')
        .set({
          last_seen: s.lastSeen,
          hostname: s.hostname,
          address: s.address,
          agent_version: s.agentVersion,
          tags: JSON.stringify(s.tags),
          slots: s.slots,
          dedicated: s.dedicated ? 1 : 0,
        })
        .where('node_id', '=', nodeId)
        .execute();
    },

    async touch(nodeId: string, lastSeen: number): Promise<void> {
      await db.updateTable('nodes').set({ last_seen: lastSeen }).where('node_id', '=', nodeId).execute();
    },
  };
}
export type NodesRepo = ReturnType<typeof createNodesRepo>;
