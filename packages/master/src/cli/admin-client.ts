/**
 * How the master's CLI subcommands (`node …`, `schedule …`, `policy …`) reach the running master's REST API: its URL and TLS
 * from the config, and proof of admin with the config's basic-auth credentials when there are some, else with the
 * admin token the master wrote to its data dir (readable only by the master's user: being able to read it is the
 * proof).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ErrorCode } from '@scrapyard/protocol';
import { z } from 'zod';
import { readAdminToken } from '../auth/admin-token.js';
import { discoverConfigFiles } from '../config-files.js';
import { loadMasterConfig } from '../config-load.js';
import { dialHost } from '../dial-host.js';
import { CliError } from './errors.js';
import type { Method } from './spec.js';

function call(url: string, method: Method, auth: string | null, ca: Buffer | undefined, body?: unknown) {
  const u = new URL(url);
  const data = body === undefined ? undefined : JSON.stringify(body);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const req = send(
      u,
      {
        method,
        headers: {
          ...(data !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(auth ? { authorization: auth } : {}),
        },
        ...(ca ? { ca } : {}),
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (text === '') return resolve({ status: res.statusCode ?? 0, json: null });
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: { error: { code: 'INTERNAL', message: text } } });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (e) =>
      reject(new CliError('MASTER_UNREACHABLE', `cannot reach the master at ${u.origin}: ${e.message}`)),
    );
    req.end(data);
  });
}

const ErrorShape = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** A call of the master's /api/v1: the answer's JSON, or a CliError with the API's code and message. */
export type Api = (method: Method, path: string, body?: unknown) => Promise<unknown>;

export interface AdminOptionValues {
  config?: string;
  'data-dir'?: string;
  url?: string;
  'ca-file'?: string;
}

/** A client of /api/v1 that throws CliError with the API's code and message on failure. */
export function adminClient(values: AdminOptionValues, env: NodeJS.ProcessEnv): Api & { masterUrl: string } {
  const discovered =
    values.config === undefined ? discoverConfigFiles(env, { cwd: process.cwd(), home: homedir() }) : [];
  const config = loadMasterConfig({
    file: values.config,
    discovered,
    env,
    flags: values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] },
  });
  const tls = config.tlsCert !== '';
  const base = (values.url ?? `${tls ? 'https' : 'http'}://${dialHost(config.bindAddress)}:${config.httpPort}`).replace(
    /\/+$/,
    '',
  );
  const caPath = values['ca-file'] ?? (tls ? config.tlsCert : undefined);
  const ca = caPath ? readCa(caPath) : undefined;
  const token = config.username && config.password ? null : readAdminToken(config.dataDir);
  const auth =
    config.username && config.password
      ? `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`
      : token && 'token' in token
        ? `Bearer ${token.token}`
        : null;
  // Say why a refusal happened when we had nothing to prove ourselves with.
  const hint =
    token && 'problem' in token
      ? ` (no admin token: ${token.problem}; run this on the master host as the master's user, with its --config or --data-dir)`
      : '';
  // The address another machine is told to use (`node enroll` prints it): public_url, else the one used here.
  const masterUrl = config.publicUrl || base;
  const api = async (method: Method, path: string, body?: unknown): Promise<unknown> => {
    const r = await call(`${base}/api/v1${path}`, method, auth, ca, body);
    if (r.status >= 400) {
      const e = ErrorShape.safeParse(r.json);
      const code = e.success ? ErrorCode.catch('INTERNAL').parse(e.data.error.code) : 'INTERNAL';
      const why = e.success ? e.data.error.message : `HTTP ${r.status}`;
      throw new CliError(code, r.status === 401 ? `${why}${hint}` : why);
    }
    return r.json;
  };
  return Object.assign(api, { masterUrl });
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError('BAD_REQUEST', `cannot read the CA file ${path}: ${(e as Error).message}`);
  }
}
