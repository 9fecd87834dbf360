/**
 * `scrapyard-agent register`: trades a single-use enrollment token (`<key>.<secret>`, from `scrapyard-master node
 * enroll`) for this node's long-lived credential, and stores it in the data dir with mode 0600.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { AGENT_HTTP_PREFIX, EnrollmentKey, EnrollmentSecret, RegisterResponse } from '@scrapyard/protocol';
import { httpBaseOf, readCa, type AgentFile } from './cli-config.js';
import { credentialPath, writeCredential } from './credential.js';
import { masterRequest, readBody } from './net/http-client.js';

export class RegisterError extends Error {}

export function parseToken(token: string): { key: string; secret: string } {
  const [key = '', secret = ''] = token.trim().split('.');
  if (!EnrollmentKey.safeParse(key).success || !EnrollmentSecret.safeParse(secret).success) {
    throw new RegisterError('--token must be the enrollment token printed by `scrapyard-master node enroll` (enr_….…)');
  }
  return { key, secret };
}

export async function register(
  c: AgentFile,
  token: string,
  nodeId: string | undefined,
): Promise<{ nodeId: string; path: string }> {
  const { key, secret } = parseToken(token);
  const base = httpBaseOf(c.masterUrl);
  let res;
  try {
    res = await masterRequest(
      `${base}${AGENT_HTTP_PREFIX}/register`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          enrollKey: key,
          enrollSecret: secret,
          nodeId: nodeId ?? c.nodeId,
          hostname: hostname(),
        }),
      },
      { ca: readCa(c), timeoutMs: 30_000 },
    );
  } catch (e) {
    throw new RegisterError(`cannot reach the master at ${base}: ${(e as Error).message}`);
  }
  const text = await readBody(res);
  if (res.statusCode !== 200) {
    let detail = text;
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error) detail = `${body.error.code}: ${body.error.message}`;
    } catch {
      // not JSON: show it raw
    }
    throw new RegisterError(`registration refused (HTTP ${res.statusCode}): ${detail}`);
  }
  const got = RegisterResponse.parse(JSON.parse(text));
  mkdirSync(c.dataDir, { recursive: true });
  const path = credentialPath(c.dataDir);
  writeCredential(path, { nodeId: got.nodeId, secret: got.secret, master: base, issuedAt: Date.now() });
  return { nodeId: got.nodeId, path };
}
