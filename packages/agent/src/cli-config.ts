/**
 * scrapyard-agent's file/env configuration (JSON file, SCRAPYARD_* env overrides), validated with zod and turned
 * into the AgentConfig createAgent() takes. The node key is read from a file so it stays out of `ps` and unit files.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { z } from 'zod';
import type { AgentConfigInput } from './config.js';

/** A boolean from JSON or from an env string (on/off, true/false, 1/0). */
const boolish = z.union([
  z.boolean(),
  z.enum(['true', 'false', 'on', 'off', '1', '0']).transform((s) => ['true', 'on', '1'].includes(s)),
]);

const FileSchema = z
  .object({
    masterUrl: z.string(),
    nodeId: z.string(),
    /** Path of a file holding the node key (hex or raw bytes); mode 0600. */
    nodeKeyFile: z.string(),
    dataDir: z.string().default('./scrapyard-agent-data'),
    slots: z.coerce.number().int().min(1).optional(),
    tags: z
      .union([
        z.array(z.string()),
        z.string().transform((s) =>
          s
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        ),
      ])
      .default([]),
    python: z.string().default(''),
    systemSitePackages: boolish.default(true),
    pipIndexUrl: z.string().default(''),
    pipFindLinks: z
      .union([z.array(z.string()), z.string().transform((s) => s.split(/[\s,]+/).filter(Boolean))])
      .default([]),
    pipNoIndex: boolish.default(false),
    jobsDir: z.string().default(''),
  })
  .strict();

const ENV_KEYS: Record<string, keyof z.input<typeof FileSchema>> = {
  SCRAPYARD_MASTER_URL: 'masterUrl',
  SCRAPYARD_NODE_ID: 'nodeId',
  SCRAPYARD_NODE_KEY_FILE: 'nodeKeyFile',
  SCRAPYARD_DATA_DIR: 'dataDir',
  SCRAPYARD_SLOTS: 'slots',
  SCRAPYARD_TAGS: 'tags',
  SCRAPYARD_PYTHON: 'python',
  SCRAPYARD_SYSTEM_SITE_PACKAGES: 'systemSitePackages',
  SCRAPYARD_PIP_INDEX_URL: 'pipIndexUrl',
  SCRAPYARD_PIP_FIND_LINKS: 'pipFindLinks',
  SCRAPYARD_PIP_NO_INDEX: 'pipNoIndex',
  SCRAPYARD_JOBS_DIR: 'jobsDir',
};

export class AgentConfigError extends Error {}

export function loadAgentCliConfig(file: string | undefined, env: NodeJS.ProcessEnv): AgentConfigInput {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new AgentConfigError(`--config ${file}: ${(e as Error).message}`);
    }
  }
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [name, key] of Object.entries(ENV_KEYS)) if (env[name] !== undefined) merged[key] = env[name];
  const parsed = FileSchema.safeParse(merged);
  if (!parsed.success) {
    throw new AgentConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('\n  '),
    );
  }
  const c = parsed.data;
  let key: Buffer;
  try {
    const raw = readFileSync(c.nodeKeyFile, 'utf8').trim();
    key = /^[0-9a-f]{32,}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw);
  } catch (e) {
    throw new AgentConfigError(
      `nodeKeyFile: cannot read ${c.nodeKeyFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  const { nodeKeyFile: _k, ...rest } = c;
  return { ...rest, nodeKey: key, slots: c.slots ?? cpus().length * 4 };
}
