/**
 * Loading the master's configuration (config.ts holds its schema and keys).
 * Precedence: defaults < config files (scrapyd.conf keys in [scrapyd], our own in [scrapyard]; --config, else
 * Scrapyd's search list, config-files.ts) < environment (SCRAPYD_* for the keys Scrapyd honours, SCRAPYARD_* for
 * everything) < command-line flags. Nothing below this module reads process.env.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CatalogueError } from '@scrapyard/protocol';
import { IniError, parseIni } from './ini.js';
import { describeMasterIssue, flagOrigins, unknownKey, type Origins } from './config-origins.js';
import { MasterConfigSchema, OUR_KEYS, type MasterConfig, type MasterConfigInput } from './config.js';
import { IGNORED_SCRAPYD_KEYS, SCRAPYD_KEYS, SCRAPYD_SERVICES, SERVICE_CLASSES } from './config-scrapyd-keys.js';

export class ConfigError extends CatalogueError {
  constructor(readonly problems: string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, { problems });
  }
}

/** One file's contribution; [settings] and [services] merge key by key across files, as configparser does. */
interface FileValues {
  values: Record<string, unknown>;
  origins: Origins;
  settings: Map<string, string>;
  /** Endpoint → disabled (an empty value) or restored (its default class). */
  services: Map<string, boolean>;
}

/**
 * Reads one file. Relative directories are relative to the file for --config (`relativeTo: 'file'`), and to the
 * working directory for Scrapyd's discovered files, as Scrapyd resolves them.
 */
function fromFile(path: string, relativeTo: 'file' | 'cwd', cwd: string): FileValues {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const what = relativeTo === 'file' ? `--config ${path}` : path;
    throw new ConfigError([`${what}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
  }
  let sections;
  try {
    sections = parseIni(text);
  } catch (e) {
    throw new ConfigError([`${path}: ${e instanceof IniError ? e.message : String(e)}`]);
  }
  const values: Record<string, unknown> = {};
  const origins: Origins = new Map();
  const problems: string[] = [];
  for (const [name, table] of [
    ['scrapyd', SCRAPYD_KEYS],
    ['scrapyard', OUR_KEYS],
  ] as const) {
    for (const [key, value] of sections.get(name) ?? []) {
      const target = table[key];
      if (target) {
        values[target] = value;
        origins.set(target, { kind: 'file', path, section: name, key, value });
      } else if (!(name === 'scrapyd' && IGNORED_SCRAPYD_KEYS.has(key))) {
        const ours = name === 'scrapyd' && OUR_KEYS[key] !== undefined;
        problems.push(
          ours
            ? `${key} in ${path} [scrapyd]: a Scrapyard key; put it in [scrapyard]`
            : unknownKey(path, name, key, Object.keys(table)),
        );
      }
    }
  }
  const services = new Map<string, boolean>();
  for (const [name, value] of sections.get('services') ?? []) {
    if (!SCRAPYD_SERVICES.includes(name)) {
      problems.push(unknownKey(path, 'services', name, SCRAPYD_SERVICES, 'endpoint'));
    } else if (value === '') services.set(name, true);
    else if (value === `scrapyd.webservice.${SERVICE_CLASSES[name]}`) services.set(name, false);
    else {
      problems.push(
        `${name} = ${value} in ${path} [services]: custom Python service classes are not supported; leave the value empty to disable the endpoint`,
      );
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const base = relativeTo === 'file' ? dirname(path) : cwd;
  for (const k of ['dataDir', 'logsDir', 'itemsDir', 'jobsDir', 'tlsCert', 'tlsKey'] as const) {
    const v = values[k];
    if (typeof v === 'string' && v && !isAbsolute(v) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
      values[k] = resolve(base, v);
    }
  }
  const settings = sections.get('settings') ?? new Map<string, string>();
  for (const [key, value] of settings) {
    origins.set(`settingsProjects.${key}`, { kind: 'file', path, section: 'settings', key, value });
  }
  return { values, origins, settings, services };
}

function fromFiles(files: FileValues[], origins: Origins): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const settings = new Map<string, string>();
  const services = new Map<string, boolean>();
  for (const f of files) {
    Object.assign(out, f.values);
    for (const [k, o] of f.origins) origins.set(k, o);
    for (const [k, v] of f.settings) settings.set(k, v);
    for (const [k, v] of f.services) services.set(k, v);
  }
  if (settings.size > 0) out.settingsProjects = Object.fromEntries(settings);
  const disabled = [...services].filter(([, off]) => off).map(([name]) => name);
  if (disabled.length > 0) out.disabledServices = disabled;
  return out;
}

/** The environment variables the master reads its config from (for the unknown-variable warning). */
export const MASTER_ENV_NAMES = [
  ...Object.keys(OUR_KEYS).map((key) => `SCRAPYARD_${key.toUpperCase()}`),
  ...['BIND_ADDRESS', 'HTTP_PORT', 'USERNAME', 'PASSWORD'].map((k) => `SCRAPYD_${k}`),
];

function fromEnv(env: NodeJS.ProcessEnv, origins: Origins): Record<string, string> {
  const out: Record<string, string> = {};
  const take = (name: string, target: string) => {
    const value = env[name];
    if (value === undefined) return;
    out[target] = value;
    origins.set(target, { kind: 'env', name, value });
  };
  for (const [key, target] of Object.entries(OUR_KEYS)) take(`SCRAPYARD_${key.toUpperCase()}`, target);
  // Scrapyd's own overrides win, as in Scrapyd.
  const scrapyd: Record<string, keyof MasterConfigInput> = {
    SCRAPYD_BIND_ADDRESS: 'bindAddress',
    SCRAPYD_HTTP_PORT: 'httpPort',
    SCRAPYD_USERNAME: 'username',
    SCRAPYD_PASSWORD: 'password',
  };
  for (const [name, target] of Object.entries(scrapyd)) take(name, target);
  return out;
}

/**
 * Builds the configuration from all sources; throws ConfigError listing every problem with its key. `file` is
 * --config (read alone, relative paths from its directory); without it, `discovered` are Scrapyd's files found by
 * discoverConfigFiles (in order, later winning, relative paths from `cwd`).
 */
export function loadMasterConfig(opts: {
  file?: string;
  discovered?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Partial<Record<keyof MasterConfigInput, unknown>>;
}): MasterConfig {
  const cwd = opts.cwd ?? process.cwd();
  const files = opts.file
    ? [fromFile(opts.file, 'file', cwd)]
    : (opts.discovered ?? []).map((f) => fromFile(f, 'cwd', cwd));
  const origins: Origins = new Map();
  const merged = { ...fromFiles(files, origins), ...fromEnv(opts.env ?? {}, origins), ...(opts.flags ?? {}) };
  for (const [k, o] of flagOrigins(opts.flags ?? {})) origins.set(k, o);
  const parsed = MasterConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => describeMasterIssue(i, origins)));
  return parsed.data;
}
