/** The agent's side of credential rotation: store the new secret durably, then confirm, then use it. */
import type { Logger } from 'pino';
import type { CredentialRotate, RotateReply } from '@scrapyard/protocol';
import { readCredential, writeCredential } from './credential.js';

/** Stores a rotated secret before confirming, so the master never accepts a secret we lost. */
export function credentialRotation(o: {
  credentialFile: string | null;
  /** The secret to prove from the next handshake on. */
  useKey: (key: Buffer) => void;
  log: Logger;
}): (r: CredentialRotate) => RotateReply {
  return (r) => {
    if (!o.credentialFile) return { ok: false, error: 'this agent has no credential file (embedded or temporary)' };
    try {
      const current = readCredential(o.credentialFile);
      writeCredential(o.credentialFile, { ...current, secret: r.secret, issuedAt: Date.now() });
      o.useKey(Buffer.from(r.secret, 'hex'));
      o.log.info('node credential rotated');
      return { ok: true };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };
}
