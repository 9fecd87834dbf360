/**
 * `scrapyard-agent register`: trades a single-use enrollment token (`<key>.<secret>`, from `scrapyard-master node
 * enroll`) for this node's long-lived credential, and stores it in the data dir with mode 0600.
 *
 * The token must not be burned by a local problem: the data dir is created (0700; with `--owner`, when run as root,
 * owned by the service user) and proved writable BEFORE the master is asked. A write that still fails after the
 * master accepted (disk full, a crash) can be retried with the same command: the master re-issues the node's
 * secret for the same token and node id for a short while, as long as the node has not connected yet
 * (node-admin.ts), and the message says so.
 */
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { AGENT_HTTP_PREFIX, EnrollmentKey, EnrollmentSecret, ErrorBody, RegisterResponse } from '@scrapyard/protocol';
import { httpBaseOf, masterUrlOf, readCa, type AgentFile } from './cli-config.js';
import { AgentCliError } from './cli-error.js';
import { credentialPath, writeCredential } from './credential.js';
import { masterRequest, readBody } from './net/http-client.js';
import { getent } from './runner/crawl-identity.js';

export class RegisterError extends AgentCliError {}

export function parseToken(token: string): { key: string; secret: string } {
  const [key = '', secret = ''] = token.trim().split('.');
  if (!EnrollmentKey.safeParse(key).success || !EnrollmentSecret.safeParse(secret).success) {
    throw new RegisterError(
      'USAGE',
      '--token must be the enrollment token printed by `scrapyard-master node enroll` (enr_….…)',
    );
  }
  return { key, secret };
}

/** Minutes after its first use during which a token can register the same node again (master: node-admin.ts). */
export const REGISTER_RETRY_MINUTES = 10;

/** uid and gid of `--owner USER` (its primary group), for a data dir register creates as root. */
export function resolveOwner(user: string, uid = process.getuid?.() ?? -1): { uid: number; gid: number } {
  if (uid !== 0) {
    throw new RegisterError('USAGE', `--owner ${user} needs root (run register with sudo), or leave it out`);
  }
  const pw = getent('passwd', user);
  if (!pw || pw.length < 4) throw new RegisterError('USAGE', `--owner ${user}: no such user`);
  return { uid: Number(pw[2]), gid: Number(pw[3]) };
}

/**
 * Creates the data dir (and missing parents) with mode 0700, owned by `owner` when given, and proves it writable.
 * Nothing has been sent to the master yet, so a failure here leaves the token unused.
 */
export function prepareStateDir(dataDir: string, owner: { uid: number; gid: number } | null): void {
  let stage = 'create';
  try {
    const first = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    stage = 'write to';
    if (owner && first !== undefined) {
      // Every directory this call made, from the first one down to the data dir.
      for (let d = dataDir; ; d = dirname(d)) {
        chownSync(d, owner.uid, owner.gid);
        if (d === first || d === dirname(d)) break;
      }
    }
    const probe = join(dataDir, `.register-probe-${process.pid}`);
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new RegisterError(
      'CONFIG_INVALID',
      `cannot ${stage} the data dir ${dataDir} (${code}); nothing was sent to ` +
        'the master and the token is still unused. Create it for the user the agent runs as (e.g. `sudo install -d ' +
        `-m 0700 -o scrapyard -g scrapyard ${dataDir}\`), or run register as root with --owner <that user>`,
    );
  }
}

export async function register(
  c: AgentFile,
  token: string,
  nodeId: string | undefined,
  o: { owner?: string } = {},
): Promise<{ nodeId: string; path: string }> {
  const { key, secret } = parseToken(token);
  const owner = o.owner ? resolveOwner(o.owner) : null;
  prepareStateDir(c.dataDir, owner);
  const base = httpBaseOf(masterUrlOf(c));
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
    throw new RegisterError('MASTER_UNREACHABLE', `cannot reach the master at ${base}: ${(e as Error).message}`);
  }
  const text = await readBody(res);
  if (res.statusCode !== 200) {
    const refused = ErrorBody.safeParse(parseJson(text));
    if (refused.success) {
      const { code, message } = refused.data.error;
      throw new RegisterError(code, `registration refused (HTTP ${res.statusCode}): ${message}`);
    }
    throw new RegisterError('PROTOCOL_ERROR', `registration refused (HTTP ${res.statusCode}): ${text}`);
  }
  const got = RegisterResponse.parse(JSON.parse(text));
  const path = credentialPath(c.dataDir);
  try {
    writeCredential(path, { nodeId: got.nodeId, secret: got.secret, master: base, issuedAt: Date.now() });
    if (owner) chownSync(path, owner.uid, owner.gid);
  } catch (e) {
    throw new RegisterError(
      'CONFIG_INVALID',
      `the master registered node ${got.nodeId}, but its credential could not be saved to ${path} ` +
        `(${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix that, then run the same command again ` +
        `with the same --token and --node-id ${got.nodeId} within ${REGISTER_RETRY_MINUTES} minutes: the master ` +
        'issues the node a new secret for it until the node first connects. Later, enroll again with ' +
        `\`scrapyard-master node enroll --node-id ${got.nodeId}\``,
    );
  }
  return { nodeId: got.nodeId, path };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
