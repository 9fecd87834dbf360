/**
 * `scrapyard-master node …`: node administration against the running master's REST API, so every change goes
 * through the process that holds the sessions (a revoke disconnects at once, a rotation reaches the agent).
 * It proves itself with the config's basic-auth credentials when there are some, else with the admin token the
 * master wrote to its data dir (readable only by the master's user: being able to read it is the proof).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { EnrollmentResponse, NodeInfo } from '@scrapyard/protocol';
import { z } from 'zod';
import { readAdminToken } from './auth/admin-token.js';
import { discoverConfigFiles } from './config-files.js';
import { loadMasterConfig } from './config.js';
import { dialHost } from './dial-host.js';

export const NODE_HELP = `Usage: scrapyard-master node <command> [options]

Commands:
  enroll [--node-id ID] [--ttl SECONDS]   create a single-use enrollment token (default lifetime 900 s)
  list                                    nodes with online state, tags, slots, address, version, last seen
  revoke ID                               disconnect a node and refuse it from now on
  rotate ID                               give an online node a new secret
  cordon ID | uncordon ID                 stop / resume placing new jobs on a node

Options:
  --config FILE    the master's config (for its port, TLS, credentials and data dir); default: the files the
                   master reads without --config (/etc/scrapyd/scrapyd.conf, …)
  --data-dir DIR   the master's data dir, whose admin-token is sent when the config has no username/password
                   (default: the config's data_dir, else ./scrapyard-data)
  --url URL        the master's URL (default http(s)://<bind_address>:<http_port>, 127.0.0.1 for 0.0.0.0/::)
  --ca-file FILE   CA to verify an https master (default: its tls_cert, for self-signed masters)
  --json           print JSON`;

class CliError extends Error {}

function call(url: string, method: 'GET' | 'POST', auth: string | null, ca: Buffer | undefined, body?: unknown) {
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
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: { error: { code: 'INTERNAL', message: text } } });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (e) => reject(new CliError(`cannot reach the master at ${u.origin}: ${e.message}`)));
    req.end(data);
  });
}

const ErrorShape = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function table(nodes: NodeInfo[]): string {
  const rows = [['NODE', 'KIND', 'STATE', 'TAGS', 'SLOTS', 'RUNNING', 'ADDRESS', 'VERSION', 'LAST SEEN']];
  for (const n of nodes) {
    const state = n.revoked ? 'revoked' : `${n.online ? 'online' : 'offline'}${n.cordoned ? ',cordoned' : ''}`;
    rows.push([
      n.nodeId,
      n.kind + (n.dedicated ? '*' : ''),
      state,
      n.tags.join(',') || '-',
      String(n.slots),
      String(n.running),
      n.address ?? '-',
      n.agentVersion ?? '-',
      n.lastSeen ? new Date(n.lastSeen).toISOString() : '-',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Runs a node subcommand; returns the exit code. */
export async function runNodeCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        url: { type: 'string' },
        'ca-file': { type: 'string' },
        'node-id': { type: 'string' },
        ttl: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, id] = positionals;
    if (values.help || !command) {
      out(NODE_HELP);
      return values.help ? 0 : 2;
    }
    const discovered =
      values.config === undefined ? discoverConfigFiles(env, { cwd: process.cwd(), home: homedir() }) : [];
    const config = loadMasterConfig({
      file: values.config,
      discovered,
      env,
      flags: values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] },
    });
    const tls = config.tlsCert !== '';
    const base = (
      values.url ?? `${tls ? 'https' : 'http'}://${dialHost(config.bindAddress)}:${config.httpPort}`
    ).replace(/\/+$/, '');
    const caPath = values['ca-file'] ?? (tls ? config.tlsCert : undefined);
    const ca = caPath ? readFileSync(caPath) : undefined;
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
    const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const r = await call(`${base}/api/v1${path}`, method, auth, ca, body);
      if (r.status >= 400) {
        const e = ErrorShape.safeParse(r.json);
        const why = e.success ? `${e.data.error.code}: ${e.data.error.message}` : `HTTP ${r.status}`;
        throw new CliError(r.status === 401 ? `${why}${hint}` : why);
      }
      return r.json;
    };
    const needId = () => {
      if (!id) throw new CliError(`${command} needs a node id`);
      return encodeURIComponent(id);
    };
    switch (command) {
      case 'enroll': {
        const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
        if (ttl !== undefined && !Number.isInteger(ttl)) throw new CliError('--ttl must be a whole number of seconds');
        const e = EnrollmentResponse.parse(
          await api('POST', '/nodes/enrollments', { nodeId: values['node-id'], ttlSeconds: ttl }),
        );
        if (values.json) out(JSON.stringify(e));
        else {
          out(`Enrollment token (single use, expires ${new Date(e.expiresAt).toISOString()}):\n\n  ${e.token}\n`);
          out(`On the crawler machine:\n  scrapyard-agent register --config agent.json --token ${e.token}`);
        }
        return 0;
      }
      case 'list': {
        const { nodes } = z.object({ nodes: z.array(NodeInfo) }).parse(await api('GET', '/nodes'));
        out(values.json ? JSON.stringify(nodes) : table(nodes));
        return 0;
      }
      case 'revoke':
      case 'rotate':
      case 'cordon':
      case 'uncordon': {
        const n = NodeInfo.parse(await api('POST', `/nodes/${needId()}/${command}`));
        out(values.json ? JSON.stringify(n) : `${command}: ${n.nodeId} done`);
        return 0;
      }
      default:
        throw new CliError(`unknown node command "${command}"\n\n${NODE_HELP}`);
    }
  } catch (e) {
    process.stderr.write(`scrapyard-master node: ${(e as Error).message}\n`);
    return e instanceof CliError ? 1 : 2;
  }
}
