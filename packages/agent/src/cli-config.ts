/**
 * scrapyard-agent's file/env/flag configuration (JSON file, SCRAPYARD_* env overrides, then `--url`/`--data-dir`),
 * validated with zod and turned into the AgentConfig createAgent() takes. The node secret comes from the credential
 * `register` wrote into the data dir (or, for a temporary node, from a file holding the cluster's shared secret),
 * never from the config.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AGENT_WS_PATH, LOG_FORMATS, NodeId, PassthroughName, type ConfigOrigin } from '@scrapyard/protocol';
import type { AgentFlags } from './cli-args.js';
import { AgentCliError } from './cli-error.js';
import type { AgentConfigInput } from './config.js';
import { describeAgentIssue, parseJsonObject, unknownFileKeys } from './config-problems.js';
import { credentialPath, readCredential } from './credential.js';

/** A boolean from JSON or from an env string (on/off, true/false, 1/0). */
const boolish = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  if (['true', 'on', '1'].includes(v)) return true;
  if (['false', 'off', '0'].includes(v)) return false;
  ctx.addIssue({ code: 'custom', message: 'not a boolean (true/false, on/off, 1/0)' });
  return z.NEVER;
});
const list = (sep: RegExp) =>
  z.union([z.array(z.string()), z.string().transform((s) => s.split(sep).filter((t) => t.trim() !== ''))]);

export const AgentFileSchema = z
  .object({
    /**
     * ws(s)://host:port[/agent/v1/ws] of the master, or its http(s)://host:port (the address the master's own CLI
     * takes). Unset: the master the credential was issued by.
     */
    masterUrl: z
      .string()
      .regex(/^(ws|http)s?:\/\/[^/]+/, 'must be http(s)://host:port or ws(s)://host:port')
      .transform((u) => u.replace(/^http/, 'ws'))
      .optional(),
    dataDir: z.string().default('./scrapyard-agent-data'),
    /** Wanted node id at registration; required for temporary nodes. Defaults to the host name. */
    nodeId: NodeId.optional(),
    slots: z.coerce.number().int().min(1).max(10_000).optional(),
    tags: list(/[\s,]+/).default([]),
    dedicated: boolish.default(false),
    caFile: z.string().optional(),
    python: z.string().default(''),
    systemSitePackages: boolish.default(true),
    pipIndexUrl: z.string().default(''),
    pipFindLinks: list(/[\s,]+/).default([]),
    pipNoIndex: boolish.default(false),
    pipAllowDirectUrls: boolish.default(false),
    crawlUser: z.string().max(64).default(''),
    crawlGroup: z.string().max(64).default(''),
    jobsDir: z.string().default(''),
    /** Variables of the agent's environment crawl code sees besides the allowlist (names or `PREFIX_*`). */
    crawlEnvPassthrough: list(/[\s,]+/)
      .pipe(z.array(PassthroughName))
      .default([]),
    /** Connect as a temporary node with the shared secret in this file (no registration). */
    temporarySecretFile: z.string().optional(),
    metricsIntervalMs: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
    eggCacheMaxAgeDays: z.coerce
      .number()
      .min(0)
      .default(1 / 24),
    venvMaxAgeDays: z.coerce.number().min(0).default(14),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Log lines: pretty when stdout is a terminal, else JSON (`auto`); or always one of them. */
    logFormat: z.enum(LOG_FORMATS).default('auto'),
  })
  .strict();
export type AgentFile = z.output<typeof AgentFileSchema>;

const ENV_KEYS: Record<string, keyof z.input<typeof AgentFileSchema>> = {
  SCRAPYARD_MASTER_URL: 'masterUrl',
  SCRAPYARD_DATA_DIR: 'dataDir',
  SCRAPYARD_NODE_ID: 'nodeId',
  SCRAPYARD_SLOTS: 'slots',
  SCRAPYARD_TAGS: 'tags',
  SCRAPYARD_DEDICATED: 'dedicated',
  SCRAPYARD_CA_FILE: 'caFile',
  SCRAPYARD_PYTHON: 'python',
  SCRAPYARD_SYSTEM_SITE_PACKAGES: 'systemSitePackages',
  SCRAPYARD_PIP_INDEX_URL: 'pipIndexUrl',
  SCRAPYARD_PIP_FIND_LINKS: 'pipFindLinks',
  SCRAPYARD_PIP_NO_INDEX: 'pipNoIndex',
  SCRAPYARD_PIP_ALLOW_DIRECT_URLS: 'pipAllowDirectUrls',
  SCRAPYARD_CRAWL_USER: 'crawlUser',
  SCRAPYARD_CRAWL_GROUP: 'crawlGroup',
  SCRAPYARD_JOBS_DIR: 'jobsDir',
  SCRAPYARD_CRAWL_ENV_PASSTHROUGH: 'crawlEnvPassthrough',
  SCRAPYARD_TEMPORARY_SECRET_FILE: 'temporarySecretFile',
  SCRAPYARD_METRICS_INTERVAL_MS: 'metricsIntervalMs',
  SCRAPYARD_EGG_CACHE_MAX_AGE_DAYS: 'eggCacheMaxAgeDays',
  SCRAPYARD_VENV_MAX_AGE_DAYS: 'venvMaxAgeDays',
  SCRAPYARD_LOG_LEVEL: 'logLevel',
  SCRAPYARD_LOG_FORMAT: 'logFormat',
};
/** The environment variables the agent reads its config from (for the unknown-variable warning). */
export const AGENT_ENV_NAMES = Object.keys(ENV_KEYS);

export class AgentConfigError extends AgentCliError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/**
 * Reads and validates the file, env and flags (later wins); relative paths in the file are relative to the file,
 * those of the env and flags to the working directory.
 */
export function loadAgentFile(file: string | undefined, env: NodeJS.ProcessEnv, flags: AgentFlags = {}): AgentFile {
  let fromFile: Record<string, unknown> = {};
  const origins = new Map<string, ConfigOrigin>();
  let unknown: string[] = [];
  if (file) {
    try {
      fromFile = parseJsonObject(file, readFileSync(file, 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new AgentConfigError(code ? `--config ${file}: cannot read (${code})` : (e as Error).message);
    }
    unknown = unknownFileKeys(file, fromFile, Object.keys(AgentFileSchema.shape));
    for (const [key, value] of Object.entries(fromFile)) origins.set(key, { kind: 'file', path: file, key, value });
    for (const k of ['dataDir', 'caFile', 'temporarySecretFile', 'jobsDir'] as const) {
      const v = fromFile[k];
      if (typeof v === 'string' && v !== '') fromFile[k] = resolve(file, '..', v);
    }
  }
  const merged = Object.fromEntries(Object.entries(fromFile).filter(([k]) => k in AgentFileSchema.shape));
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value === undefined) continue;
    merged[key] = value;
    origins.set(key, { kind: 'env', name, value });
  }
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    merged[key] = value;
    origins.set(key, { kind: 'flag', flag: key === 'masterUrl' ? '--url' : '--data-dir' });
  }
  const parsed = AgentFileSchema.safeParse(merged);
  const problems = [...unknown, ...(parsed.error?.issues.map((i) => describeAgentIssue(i, origins)) ?? [])];
  if (!parsed.success || problems.length > 0) throw new AgentConfigError(problems.join('\n  '));
  return { ...parsed.data, dataDir: resolve(parsed.data.dataDir) };
}

/** The master to dial: the configured one, else the one that issued the credential (register stores it). */
export function masterUrlOf(c: AgentFile, issuedBy?: string): string {
  const url = c.masterUrl ?? issuedBy?.replace(/^http/, 'ws');
  if (!url) {
    throw new AgentConfigError("masterUrl: the master's address is needed: --url, masterUrl or SCRAPYARD_MASTER_URL");
  }
  return url;
}

/** The gateway URL: a bare ws(s)://host:port gets the gateway path. */
export function gatewayUrl(masterUrl: string): string {
  const u = new URL(masterUrl);
  if (u.pathname === '/' || u.pathname === '') u.pathname = AGENT_WS_PATH;
  return u.toString();
}

/** http(s)://host:port of the master, from its gateway URL. */
export function httpBaseOf(masterUrl: string): string {
  const u = new URL(masterUrl);
  return `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}`;
}

function readFileOr(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new AgentConfigError(`${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function readCa(c: AgentFile): Buffer | undefined {
  return c.caFile ? readFileOr(c.caFile, 'caFile') : undefined;
}

/** The AgentConfig to run with: identity from the credential file (or the temporary secret). */
export function toAgentConfig(c: AgentFile): AgentConfigInput {
  let nodeId: string;
  let nodeKey: Buffer;
  let credentialFile: string | null = null;
  let issuedBy: string | undefined;
  const temporary = c.temporarySecretFile !== undefined;
  if (temporary) {
    if (!c.nodeId) throw new AgentConfigError('nodeId: a temporary node needs a nodeId');
    nodeId = c.nodeId;
    nodeKey = Buffer.from(readFileOr(c.temporarySecretFile!, 'temporarySecretFile').toString('utf8').trim(), 'utf8');
  } else {
    credentialFile = credentialPath(c.dataDir);
    let cred;
    try {
      cred = readCredential(credentialFile);
    } catch (e) {
      throw new AgentConfigError((e as Error).message);
    }
    nodeId = cred.nodeId;
    nodeKey = Buffer.from(cred.secret, 'hex');
    issuedBy = cred.master;
  }
  return {
    masterUrl: gatewayUrl(masterUrlOf(c, issuedBy)),
    nodeId,
    nodeKey,
    temporary,
    credentialFile,
    dedicated: c.dedicated,
    ca: readCa(c),
    dataDir: c.dataDir,
    slots: c.slots ?? cpus().length * 4,
    tags: c.tags,
    python: c.python,
    systemSitePackages: c.systemSitePackages,
    pipIndexUrl: c.pipIndexUrl,
    pipFindLinks: c.pipFindLinks,
    pipNoIndex: c.pipNoIndex,
    pipAllowDirectUrls: c.pipAllowDirectUrls,
    crawlUser: c.crawlUser,
    crawlGroup: c.crawlGroup,
    jobsDir: c.jobsDir,
    crawlEnvPassthrough: c.crawlEnvPassthrough,
    metricsIntervalMs: c.metricsIntervalMs,
    eggKeepMs: Math.round(c.eggCacheMaxAgeDays * 86_400_000),
    venvKeepMs: Math.round(c.venvMaxAgeDays * 86_400_000),
  };
}
