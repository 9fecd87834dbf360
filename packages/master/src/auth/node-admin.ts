/**
 * Node administration: enrollment keys, registration, revocation, credential rotation, cordon, and the node list.
 * Secrets are generated here and shown once; only hashes (enrollment secrets) and SCRAM stored keys (node
 * secrets) are persisted, and every comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import {
  NodeId,
  storedKeyOf,
  type CreateEnrollmentRequest,
  type EnrollmentResponse,
  type HostMetrics,
  type NodeInfo,
  type RegisterRequest,
  type RegisterResponse,
} from '@scrapyard/protocol';
import type { EnrollmentRow, NodeRow, NodesRepo } from '../db/repos/nodes.js';
import type { AgentSession } from '../registry/agent-session.js';
import type { NodeCredentials } from './node-auth.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { AgentRegistry } from '../registry/registry.js';
import { CatalogueError } from '@scrapyard/protocol';

export interface NodeAdminDeps {
  repo: NodesRepo;
  creds: NodeCredentials;
  registry: AgentRegistry;
  latestHost: (nodeId: string) => HostMetrics | undefined;
  now: () => number;
  logger: Logger;
  /** Enrollments, registrations, rotations, revocations and cordons are announced here; offline nodes learnt. */
  events: DomainEvents;
}

const ROTATE_TIMEOUT_MS = 30_000;
/**
 * How long after its first use an enrollment key can register the same node again. A registration the master
 * accepted can still fail on the agent (its credential not saved: disk full, a crash), and the token must not be
 * lost with it. A repeat gets a fresh secret for the same node, replacing the one issued before (the last one the
 * agent saved wins), and only until the node first connects: after that, the token is spent for good, so whoever
 * steals it later can't take the node's identity. Before that moment, a thief holding the token could have
 * redeemed it first anyway.
 */
export const REGISTER_RETRY_MS = 10 * 60_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** A node id from a host name: the first label, reduced to the allowed characters. */
export function nodeIdFromHostname(hostname: string): string {
  const id = (hostname.split('.')[0] ?? '').replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return NodeId.safeParse(id.slice(0, 63)).success ? id.slice(0, 63) : 'node';
}

export class NodeAdmin {
  readonly #d: NodeAdminDeps;
  readonly #log: Logger;

  constructor(deps: NodeAdminDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'node-admin' });
  }

  async start(): Promise<void> {
    for (const n of await this.#d.repo.all()) {
      this.#d.creds.setPermanent(n.node_id, n.stored_key, n.pending_stored_key, n.revoked_at !== null);
      if (n.cordoned) this.#d.registry.setCordoned(n.node_id, true);
    }
    await this.#d.repo.pruneEnrollments(this.#d.now() - 86_400_000);
  }

  async createEnrollment(req: CreateEnrollmentRequest): Promise<EnrollmentResponse> {
    const key = `enr_${randomBytes(12).toString('hex')}`;
    const secret = randomBytes(32).toString('hex');
    const now = this.#d.now();
    const expiresAt = now + req.ttlSeconds * 1000;
    await this.#d.repo.createEnrollment({
      key_id: key,
      secret_hash: sha256(secret).toString('hex'),
      node_id: req.nodeId ?? null,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
      used_by: null,
    });
    this.#log.info({ enrollKey: key, nodeId: req.nodeId ?? null, expiresAt }, 'enrollment key created');
    this.#d.events.publish({ type: 'node.enrollment', enrollKey: key, nodeId: req.nodeId ?? null, expiresAt });
    return { key, secret, token: `${key}.${secret}`, nodeId: req.nodeId ?? null, expiresAt };
  }

  async register(req: RegisterRequest, remote: string): Promise<RegisterResponse> {
    const now = this.#d.now();
    const e = await this.#d.repo.getEnrollment(req.enrollKey);
    // Compare against something even for an unknown key, so timing doesn't reveal which keys exist.
    const expected = e ? Buffer.from(e.secret_hash, 'hex') : sha256('no such key');
    const secretOk = timingSafeEqual(sha256(req.enrollSecret), expected) && e !== undefined;
    if (!e || !secretOk) {
      this.#log.warn({ enrollKey: req.enrollKey, remote }, 'registration refused: unknown key or wrong secret');
      throw new CatalogueError('ENROLLMENT_INVALID', 'unknown enrollment key or wrong secret');
    }
    if (e.used_at !== null) return this.#registerAgain(e, req, remote, now);
    if (e.expires_at <= now) {
      throw new CatalogueError('ENROLLMENT_EXPIRED', 'this enrollment key has expired: create a new one');
    }
    const nodeId = e.node_id ?? req.nodeId ?? nodeIdFromHostname(req.hostname);
    const existing = await this.#d.repo.get(nodeId);
    if (existing && e.node_id === null) {
      // Only an enrollment made for this node id may replace its credential (re-enrolling a machine).
      throw new CatalogueError(
        'NODE_EXISTS',
        `node id ${nodeId} is already registered: choose another --node-id, or enroll with --node-id ${nodeId} to replace it`,
        { nodeId },
      );
    }
    if (this.#d.creds.isEmbedded(nodeId)) {
      throw new CatalogueError('NODE_EXISTS', `node id ${nodeId} is the embedded agent's`, { nodeId });
    }
    if (!(await this.#d.repo.consumeEnrollment(e.key_id, now, nodeId))) {
      throw new CatalogueError('ENROLLMENT_USED', 'this enrollment key has already been used');
    }
    const secret = await this.#issue(nodeId, now);
    this.#log.info({ nodeId, enrollKey: e.key_id, remote }, 'node registered');
    this.#d.events.publish({ type: 'node.registered', nodeId, enrollKey: e.key_id, again: false });
    return { nodeId, secret };
  }

  /** A fresh secret for the node, replacing its credential (and ending a session that holds the old one). */
  async #issue(nodeId: string, now: number): Promise<string> {
    const secret = randomBytes(32);
    const storedKey = storedKeyOf(secret);
    await this.#d.repo.putCredential(nodeId, storedKey, now);
    this.#d.creds.setPermanent(nodeId, storedKey, null, false);
    // A re-enrolled node's old session holds the old credential: end it.
    this.#d.registry.get(nodeId)?.close(4004, 'credential replaced');
    return secret.toString('hex');
  }

  /** A used key, presented again (REGISTER_RETRY_MS): the same node, not yet connected, within the window. */
  async #registerAgain(e: EnrollmentRow, req: RegisterRequest, remote: string, now: number): Promise<RegisterResponse> {
    const usedAt = Number(e.used_at);
    const nodeId = e.node_id ?? req.nodeId ?? nodeIdFromHostname(req.hostname);
    const row = e.used_by === nodeId ? await this.#d.repo.get(nodeId) : undefined;
    const session = this.#d.registry.get(nodeId);
    const connected =
      (row?.last_seen != null && Number(row.last_seen) >= usedAt) ||
      (session !== undefined && session.connectedAt >= usedAt);
    if (!row || row.revoked_at !== null || connected || now - usedAt >= REGISTER_RETRY_MS) {
      throw new CatalogueError(
        'ENROLLMENT_USED',
        `this enrollment key has already been used${e.used_by ? ` (by node ${e.used_by})` : ''}: it registers the same ` +
          `node again only within ${REGISTER_RETRY_MS / 60_000} minutes of its first use and until that node connects; ` +
          'create a new one',
      );
    }
    const secret = await this.#issue(nodeId, now);
    this.#log.info({ nodeId, enrollKey: e.key_id, remote }, 'node registered again with its enrollment key (retry)');
    this.#d.events.publish({ type: 'node.registered', nodeId, enrollKey: e.key_id, again: true });
    return { nodeId, secret };
  }

  async list(): Promise<NodeInfo[]> {
    const rows = await this.#d.repo.all();
    const out = rows.map((r) => this.#info(r, this.#d.registry.get(r.node_id)));
    const listed = new Set(rows.map((r) => r.node_id));
    for (const s of this.#d.registry.all()) if (!listed.has(s.nodeId)) out.push(this.#info(undefined, s));
    return out.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }

  async info(nodeId: string): Promise<NodeInfo> {
    const row = await this.#d.repo.get(nodeId);
    const session = this.#d.registry.get(nodeId);
    if (!row && !session) throw new CatalogueError('NOT_FOUND', `no node ${nodeId}`, { nodeId });
    return this.#info(row, session);
  }

  async revoke(nodeId: string): Promise<NodeInfo> {
    const row = await this.#d.repo.get(nodeId);
    if (!row) throw new CatalogueError('NOT_FOUND', `no registered node ${nodeId}`, { nodeId });
    await this.#d.repo.revoke(nodeId, this.#d.now());
    this.#d.creds.revoke(nodeId);
    this.#d.registry.get(nodeId)?.close(4005, 'node revoked');
    this.#log.warn({ nodeId }, 'node revoked');
    this.#d.events.publish({ type: 'node.revoked', nodeId });
    return this.info(nodeId);
  }

  /**
   * New secret for an online node. The master keeps both stored keys until the agent has written the new secret
   * and said so, then only the new one; if the answer is lost, the next handshake tells which one it has.
   */
  async rotate(nodeId: string): Promise<NodeInfo> {
    const row = await this.#d.repo.get(nodeId);
    if (!row || row.revoked_at !== null) {
      throw new CatalogueError('NOT_FOUND', `no registered node ${nodeId}`, { nodeId });
    }
    const session = this.#d.registry.get(nodeId);
    if (!session) {
      throw new CatalogueError('NODE_OFFLINE', `node ${nodeId} is offline: rotation needs it online`, { nodeId });
    }
    const secret = randomBytes(32);
    const pending = storedKeyOf(secret);
    await this.#d.repo.setPendingKey(nodeId, pending);
    this.#d.creds.setPending(nodeId, pending);
    let reply;
    try {
      reply = await session.request('credential.rotate', { secret: secret.toString('hex') }, ROTATE_TIMEOUT_MS);
    } catch (e) {
      throw new CatalogueError(
        'AGENT_TIMEOUT',
        `node ${nodeId} did not confirm the new credential: ${(e as Error).message}`,
      );
    }
    if (!reply.ok) {
      await this.#d.repo.setPendingKey(nodeId, null);
      this.#d.creds.setPending(nodeId, null);
      throw new CatalogueError('RUNNER_ERROR', `node ${nodeId} could not store the new credential: ${reply.error}`);
    }
    await this.#d.repo.promotePendingKey(nodeId, pending);
    this.#d.creds.promote(nodeId, pending);
    this.#log.info({ nodeId }, 'node credential rotated');
    this.#d.events.publish({ type: 'node.rotated', nodeId });
    return this.info(nodeId);
  }

  async setCordoned(nodeId: string, cordoned: boolean): Promise<NodeInfo> {
    const row = await this.#d.repo.get(nodeId);
    if (!row && !this.#d.registry.get(nodeId)) throw new CatalogueError('NOT_FOUND', `no node ${nodeId}`, { nodeId });
    // A revoked node can never run anything again: like rotate, it no longer counts as registered.
    if (row && row.revoked_at !== null) {
      throw new CatalogueError('NOT_FOUND', `no registered node ${nodeId}`, { nodeId });
    }
    if (row) await this.#d.repo.setCordoned(nodeId, cordoned);
    this.#d.registry.setCordoned(nodeId, cordoned);
    this.#log.info({ nodeId, cordoned }, cordoned ? 'node cordoned' : 'node uncordoned');
    this.#d.events.publish({ type: 'node.cordoned', nodeId, cordoned });
    return this.info(nodeId);
  }

  /** After a successful handshake: finish or abandon a rotation, and record what the node advertised. */
  async onAuthenticated(session: AgentSession, o: { rotated: boolean }): Promise<void> {
    if (session.kind !== 'permanent') return;
    const row = await this.#d.repo.get(session.nodeId);
    if (!row) return;
    if (o.rotated && row.pending_stored_key !== null) {
      await this.#d.repo.promotePendingKey(session.nodeId, row.pending_stored_key);
      this.#d.creds.promote(session.nodeId, row.pending_stored_key);
    } else if (row.pending_stored_key !== null) {
      await this.#d.repo.setPendingKey(session.nodeId, null);
      this.#d.creds.setPending(session.nodeId, null);
    }
    await this.#d.repo.recordSighting(session.nodeId, {
      lastSeen: this.#d.now(),
      hostname: session.hostname,
      address: session.address,
      agentVersion: session.agentVersion,
      tags: [...session.tags],
      slots: session.slots,
      dedicated: session.dedicated,
    });
  }

  /** When a registered node went offline: its last sighting, for `node list`. */
  async onOffline(e: { nodeId: string; kind: string; lastSeen: number }): Promise<void> {
    if (e.kind === 'permanent') await this.#d.repo.touch(e.nodeId, e.lastSeen);
  }

  #info(row: NodeRow | undefined, s: AgentSession | undefined): NodeInfo {
    const nodeId = (row?.node_id ?? s?.nodeId)!;
    return {
      nodeId,
      kind: s?.kind ?? 'permanent',
      online: s !== undefined && !s.closed,
      revoked: row ? row.revoked_at !== null : false,
      cordoned: this.#d.registry.isCordoned(nodeId),
      dedicated: s ? s.dedicated : row?.dedicated === 1,
      tags: s ? [...s.tags] : row ? (JSON.parse(row.tags) as string[]) : [],
      slots: s ? s.slots : (row?.slots ?? 0),
      running: s ? s.runs.size : 0,
      address: s?.address ?? row?.address ?? null,
      hostname: s?.hostname ?? row?.hostname ?? null,
      agentVersion: s?.agentVersion ?? row?.agent_version ?? null,
      lastSeen: s ? s.lastSeen : row?.last_seen != null ? Number(row.last_seen) : null,
      createdAt: row ? Number(row.created_at) : null,
      host: this.#d.latestHost(nodeId) ?? null,
    };
  }
}
