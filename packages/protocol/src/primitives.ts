import { z } from 'zod';

/**
 * Names that become file-system path components and process arguments (project, spider, job id, version).
 * They must be non-empty, not `.`/`..`, and free of separators and control characters, so no value can escape
 * its directory or smuggle an option. Other Unicode is allowed (Scrapy spider names may be non-ASCII).
 */
export const PATH_COMPONENT_MAX = 200;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/\\\u0000-\u001f\u007f]/;

export function isSafePathComponent(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= PATH_COMPONENT_MAX &&
    value !== '.' &&
    value !== '..' &&
    !FORBIDDEN.test(value) &&
    !value.startsWith('-')
  );
}

/**
 * Free text a peer reports and the master stores (a failure's reason, a hostname): bounded, and with U+0000
 * replaced, since PostgreSQL text cannot hold it and a report must not be lost over one character.
 */
export const FreeText = (max: number) =>
  z
    .string()
    .max(max)
    .transform((s) => (s.includes('\u0000') ? s.replaceAll('\u0000', '\ufffd') : s));

const pathComponent = (what: string) =>
  z.string().refine(isSafePathComponent, {
    message: `${what} must be a plain name: no '/', '\\', '..', control characters or leading '-'`,
  });

export const ProjectName = pathComponent('project');
export type ProjectName = z.infer<typeof ProjectName>;
export const SpiderName = pathComponent('spider');
export type SpiderName = z.infer<typeof SpiderName>;
export const JobId = pathComponent('job id');
export type JobId = z.infer<typeof JobId>;

/** The master's unique id of one run of a job (Scrapyd job ids may repeat; run ids never do). */
export const RunId = z.string().regex(/^[0-9a-f]{32}$/);
export type RunId = z.infer<typeof RunId>;

/** A version as stored: Scrapyd's sanitized form, `[A-Za-z0-9_-]` only. */
export const VersionName = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/);
export type VersionName = z.infer<typeof VersionName>;

/** Scrapyd's sanitizer: every character outside `[A-Za-z0-9_-]` becomes `_` (so `1.0` is stored as `1_0`). */
export function sanitizeVersion(version: string): string {
  return version.replace(/[^A-Za-z0-9_-]/g, '_');
}

export const NodeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/);
export type NodeId = z.infer<typeof NodeId>;
export const Tag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/);
export type Tag = z.infer<typeof Tag>;

/** A dotted Python module name (SCRAPY_SETTINGS_MODULE of a [settings] project). */
export const SettingsModule = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'must be a dotted Python module name');
export type SettingsModule = z.infer<typeof SettingsModule>;

/** Lower-case hex SHA-256 digest: eggs are content-addressed by it. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
export type Sha256 = z.infer<typeof Sha256>;

/** Milliseconds since the Unix epoch. */
export const EpochMs = z.number().int().nonnegative();
export type EpochMs = z.infer<typeof EpochMs>;

/** Signals a cancel may send: Scrapyd's names, or a decimal number (Scrapyd 1.6). */
export const SIGNAL_NAMES = ['HUP', 'INT', 'KILL', 'STOP', 'TERM'] as const;
export const SignalName = z.enum(SIGNAL_NAMES);
export type SignalName = z.infer<typeof SignalName>;
/** What crosses the wire: a POSIX signal name (`SIGINT`) or a number. */
export const WireSignal = z.union([z.string().regex(/^SIG[A-Z0-9]+$/), z.number().int().min(1).max(64)]);
export type WireSignal = z.infer<typeof WireSignal>;

/** A name in `crawl_env_passthrough`: a variable name, or a prefix ending in `*` (e.g. `MYAPP_*`). */
export const PassthroughName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, 'expected a variable name, or a prefix ending in * (e.g. MYAPP_*)');
