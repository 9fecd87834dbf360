import { z } from 'zod';
import { NodeId } from '../primitives.js';

/** Enrollment keys are `enr_` + 24 hex; the secret is 64 hex. The printable token is `<key>.<secret>`. */
export const EnrollmentKey = z.string().regex(/^enr_[0-9a-f]{24}$/);
export const EnrollmentSecret = z.string().regex(/^[0-9a-f]{64}$/);

/** POST /agent/v1/register: trade a single-use enrollment key for a long-lived node credential. */
export const RegisterRequest = z.object({
  enrollKey: EnrollmentKey,
  enrollSecret: EnrollmentSecret,
  /** Wanted node id; ignored when the enrollment names one. Defaults to the host name. */
  nodeId: NodeId.optional(),
  hostname: z.string().max(255),
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const RegisterResponse = z.object({
  nodeId: NodeId,
  /** The node secret (hex). The master keeps only a hash of it; it is shown this once. */
  secret: z.string().regex(/^[0-9a-f]{64}$/),
});
export type RegisterResponse = z.infer<typeof RegisterResponse>;

/** What `scrapyard-agent register` writes to `<dataDir>/node-credential.json` (mode 0600). */
export const NodeCredentialFile = z.object({
  nodeId: NodeId,
  secret: z.string().regex(/^[0-9a-f]{64}$/),
  /** The master it was issued by: the agent dials it when no masterUrl is configured. */
  master: z.string().optional(),
  issuedAt: z.number().int().nonnegative().optional(),
});
export type NodeCredentialFile = z.infer<typeof NodeCredentialFile>;
