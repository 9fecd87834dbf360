import { z } from 'zod';
import { EpochMs, NodeId, ProjectName, RunId, Sha256, VersionName, SettingsModule } from '../primitives.js';
import { ErrorCode } from '../errors.js';
import type { Catalog } from './catalog.js';
import { CancelReply, HandshakeNonce, RotateReply, SpiderListReply } from './agent-to-master.js';
import { CancelRequest, JobSpec, Requirements, Stream } from './jobs.js';

/** Sent as soon as the socket opens: the agent answers with `identify`, and later a MAC over this nonce. */
export const Challenge = z.object({
  nonce: HandshakeNonce,
  protocolVersion: z.number().int().positive(),
  serverTime: EpochMs,
});
export type Challenge = z.infer<typeof Challenge>;

/** Where the master wants each running job's streams to resume (its own file sizes). */
export const StreamResume = z.object({ runId: RunId, stream: Stream, offset: z.number().int().nonnegative() });

/**
 * The master's answer to `identify`: HMACs over both nonces and the node id, keyed by the stored keys it holds for
 * the node (see handshake.ts). Always two, so their number says nothing: the current key's and, during a credential
 * rotation, the new one's; decoys (random keys) where there is no such key, and for a node id it doesn't know.
 */
export const MasterProof = z.object({ proofs: z.array(z.string().regex(/^[0-9a-f]{64}$/)).length(2) });
export type MasterProof = z.infer<typeof MasterProof>;

export const Welcome = z.object({
  nodeId: NodeId,
  /** Bearer token for the agent-facing HTTP routes (egg downloads) for the life of this session. */
  sessionToken: z.string().min(32),
  heartbeatIntervalMs: z.number().int().positive(),
  resume: z.array(StreamResume),
  /** Jobs the agent reported running that the master has already cancelled: stop them. */
  cancel: z.array(CancelRequest),
});
export type Welcome = z.infer<typeof Welcome>;

export const Rejected = z.object({ code: ErrorCode, message: z.string().max(4_000) });
export type Rejected = z.infer<typeof Rejected>;

export const JobAssign = z.object({ job: JobSpec });
export type JobAssign = z.infer<typeof JobAssign>;

export const EventsAck = z.object({ upToSeq: z.number().int().nonnegative() });
export type EventsAck = z.infer<typeof EventsAck>;

export const LogAck = z.object({ runId: RunId, stream: Stream, offset: z.number().int().nonnegative() });
export type LogAck = z.infer<typeof LogAck>;

export const SpiderListRequest = z.object({
  project: ProjectName,
  version: VersionName.nullable(),
  eggDigest: Sha256.nullable(),
  eggSize: z.number().int().nonnegative(),
  settingsModule: SettingsModule.nullable(),
  requirements: Requirements,
});
export type SpiderListRequest = z.infer<typeof SpiderListRequest>;

/** Every egg digest some version still uses: the agent may delete cached eggs outside this set (GC). */
export const EggsLive = z.object({ digests: z.array(Sha256).max(1_000_000) });
export type EggsLive = z.infer<typeof EggsLive>;

/** A new version was uploaded: fetch its egg and build its venv now, so its first crawl starts warm. */
export const Prewarm = z.object({
  project: ProjectName,
  version: VersionName,
  eggDigest: Sha256,
  eggSize: z.number().int().nonnegative(),
  requirements: Requirements,
});
export type Prewarm = z.infer<typeof Prewarm>;

/** Replace the node secret: the agent stores `secret` (hex) durably, then replies; the old one stops working. */
export const CredentialRotate = z.object({ secret: z.string().regex(/^[0-9a-f]{64}$/) });
export type CredentialRotate = z.infer<typeof CredentialRotate>;

export const MasterToAgent = {
  challenge: { message: Challenge },
  'master.proof': { message: MasterProof },
  welcome: { message: Welcome },
  rejected: { message: Rejected },
  'job.assign': { message: JobAssign },
  'job.cancel': { message: CancelRequest, reply: CancelReply },
  'events.ack': { message: EventsAck },
  'log.ack': { message: LogAck },
  'spiders.list': { message: SpiderListRequest, reply: SpiderListReply },
  'eggs.live': { message: EggsLive },
  prewarm: { message: Prewarm },
  'credential.rotate': { message: CredentialRotate, reply: RotateReply },
} as const satisfies Catalog;
export type MasterToAgent = typeof MasterToAgent;
