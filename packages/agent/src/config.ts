/** The agent's configuration: one zod schema. Embedded (standalone) and remote agents share it. */
import { z } from 'zod';
import { NodeId, PassthroughName, Tag } from '@scrapyard/protocol';

export const AgentConfigSchema = z.object({
  /** ws:// or wss:// URL of the master's agent gateway. */
  masterUrl: z.string().regex(/^wss?:\/\//, 'must start with ws:// or wss://'),
  nodeId: NodeId,
  /** The node's secret; it never crosses the wire, only proofs made with it do (protocol handshake.ts). */
  nodeKey: z.instanceof(Buffer).refine((b) => b.length >= 16, 'node key must be at least 16 bytes'),
  /** Connect as a temporary node (nodeKey is then the cluster's shared temporary-node secret). */
  temporary: z.boolean().default(false),
  /** Where a rotated credential is written (null: rotation unsupported, e.g. the embedded agent). */
  credentialFile: z.string().nullable().default(null),
  /** Take only jobs whose tags this node matches. */
  dedicated: z.boolean().default(false),
  /** PEM of a private CA to verify the master's certificate (wss://). */
  ca: z.instanceof(Buffer).optional(),
  /**
   * `ca` is the master's own certificate (the embedded agent): trust exactly that certificate, even when a CA
   * signed it, at whatever address the master is dialled.
   */
  caIsMasterCert: z.boolean().default(false),
  /** How often host and job metrics are sampled and sent (0 = never). */
  metricsIntervalMs: z.number().int().min(0).max(3_600_000).default(5_000),
  /** Cached eggs of deleted versions are kept this long after their last use. */
  eggKeepMs: z.number().int().min(0).default(3_600_000),
  /** Venvs no run has used for this long are deleted (rebuilt on next use). */
  venvKeepMs: z
    .number()
    .int()
    .min(0)
    .default(14 * 86_400_000),
  /** Where the agent keeps its database, egg cache, venvs and the files of running jobs. */
  dataDir: z.string().min(1),
  /** Concurrent crawls this node takes. */
  slots: z.number().int().min(1).max(10_000),
  tags: z.array(Tag).default([]),
  /** Interpreter for venvs; empty = the first of /usr/bin/python3, python3, python that imports scrapy. */
  python: z.string().default(''),
  /** Let venvs see system packages (e.g. Debian's python3-scrapy). */
  systemSitePackages: z.boolean().default(true),
  pipIndexUrl: z.string().default(''),
  pipFindLinks: z.array(z.string()).default([]),
  pipNoIndex: z.boolean().default(false),
  /**
   * Let eggs' requirements be direct references (`pkg @ https://…`, `git+…`, paths). Off: requirements come from
   * the configured index or wheelhouse only, so an egg can't fetch code from elsewhere (runner/requirements.ts).
   */
  pipAllowDirectUrls: z.boolean().default(false),
  /**
   * OS user (name or uid) that crawls, pip and `scrapy list` run as; empty = the agent's own user. Needs the agent
   * to run as root. The agent's credential, database and other runs' files are then unreadable to crawl code.
   */
  crawlUser: z.string().max(64).default(''),
  /** Group (name or gid) for crawlUser; empty = the user's primary group. */
  crawlGroup: z.string().max(64).default(''),
  /**
   * Variables of the agent's environment crawls, pip and `scrapy list` see besides the allowlist (safe-env.ts):
   * names, or prefixes ending in `*`. Nothing else of the daemon's environment reaches crawl code.
   */
  crawlEnvPassthrough: z.array(PassthroughName).default([]),
  /** Root of Scrapy JOBDIRs (`jobs_dir`); empty disables. */
  jobsDir: z.string().default(''),
});
export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
