/**
 * Starts real remote agents (`scrapyard-agent --config FILE`) for cluster tests: each gets its own data dir and
 * JSON config, is enrolled and registered against the master unless its data dir already holds a credential, and
 * counts as started once it logs "connected to master". Cleanup stops it with SIGTERM (asserting a clean exit when
 * it was still running), kills the crawls it left behind (crawls outlive their agent by design) and removes its
 * directories. Also: runners for the master's and the agent's CLIs (`scrapyard-master node … --url U` is given the
 * data dir of the master serving U, so it finds the admin token as it does on the master host).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request, type Auth } from './http.js';
import { adminTokenFor, dataDirFor, HERMETIC_ENV, killCrawls, type MasterProcess } from './processes.js';
import { PYTHON } from './python.js';
import { waitFor } from './wait.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FROM_SOURCE = process.env.SCRAPYARD_TEST_FROM_SOURCE === '1';

/** argv of one of our daemons' CLIs: the built dist (what we ship), or src through tsx. */
export function cliCommand(pkg: 'master' | 'agent', args: string[]): [string, string[]] {
  if (FROM_SOURCE) {
    return [
      process.execPath,
      ['--conditions=@scrapyard/source', '--import', 'tsx', join(ROOT, `packages/${pkg}/src/main.ts`), ...args],
    ];
  }
  return [process.execPath, [join(ROOT, `packages/${pkg}/dist/main.js`), ...args]];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for messages. */
  all: string;
}

/**
 * Runs `scrapyard-master …` or `scrapyard-agent …` to completion (async, so the test's servers keep serving).
 * `scrapyard-master node … --url U` without --config/--data-dir gets `--data-dir` of the master serving U (that
 * master's admin token), unless `adminToken: false`.
 */
export function runCli(
  pkg: 'master' | 'agent',
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; adminToken?: boolean; input?: string } = {},
): Promise<CliResult> {
  const [file, argv] = cliCommand(pkg, withMasterDataDir(pkg, args, opts.adminToken ?? true));
  return new Promise((resolve, reject) => {
    const proc = spawn(file, argv, {
      cwd: ROOT,
      env: { ...process.env, ...HERMETIC_ENV, SCRAPYARD_LOG_LEVEL: 'info', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Without input, an empty stdin (end of file at once), as 'ignore' gives. A command that exits without
    // reading it breaks the pipe: not the test's concern.
    proc.stdin.on('error', () => {});
    proc.stdin.end(opts.input ?? '');
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${pkg} ${args.join(' ')} did not finish in time:\n${stdout}${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, all: stdout + stderr });
    });
  });
}

function withMasterDataDir(pkg: 'master' | 'agent', args: string[], wanted: boolean): string[] {
  if (!wanted || pkg !== 'master' || (args[0] !== 'node' && args[0] !== 'schedule')) return args;
  if (args.includes('--config') || args.includes('--data-dir')) return args;
  const i = args.indexOf('--url');
  const dir = i === -1 ? undefined : dataDirFor(args[i + 1]!);
  return dir === undefined ? args : [...args, '--data-dir', dir];
}

/** ws(s)://127.0.0.1:<port>/agent/v1/ws of a master URL. */
export function gatewayUrl(masterUrl: string): string {
  return `${masterUrl.replace(/^http/, 'ws')}/agent/v1/ws`;
}

export interface Enrollment {
  key: string;
  secret: string;
  token: string;
  nodeId: string | null;
  expiresAt: number;
}

/** POST /api/v1/nodes/enrollments (basic auth when given, else the master's admin token); asserts 201. */
export async function enroll(
  masterUrl: string,
  body: { nodeId?: string; ttlSeconds?: number } = {},
  opts: { auth?: Auth; caFile?: string } = {},
): Promise<Enrollment> {
  const r = await request(`${masterUrl}/api/v1/nodes/enrollments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    auth: opts.auth,
    bearer: opts.auth ? undefined : adminTokenFor(masterUrl),
    caFile: opts.caFile,
  });
  assert.equal(r.status, 201, `enrollment should be created: ${r.status} ${r.text}`);
  return r.json as unknown as Enrollment;
}

export interface AgentOptions {
  master: MasterProcess | { url: string };
  /** Reuse a data dir (e.g. a second agent process on the same node); by default a fresh one is made. */
  dataDir?: string;
  /** Node id asked for at register (`--node-id`); default a unique `agent-<hex>`. */
  nodeId?: string;
  tags?: string[];
  slots?: number;
  dedicated?: boolean;
  caFile?: string;
  /** Override of the dialled URL (e.g. through a proxy); default the master's gateway. */
  masterUrl?: string;
  env?: Record<string, string>;
  /** Enrollment token to register with; default a fresh one from the master's REST API. */
  token?: string;
  /** Basic auth of the master's REST API (to enroll). */
  auth?: Auth;
  /** Extra config keys (metricsIntervalMs, temporarySecretFile, …). */
  config?: Record<string, unknown>;
  /** Skip enrollment and register (temporary nodes). */
  register?: boolean;
  /** Wait for "connected to master" (default true). */
  waitConnected?: boolean;
}

export interface AgentProcess {
  nodeId: string;
  dataDir: string;
  configFile: string;
  credentialFile: string;
  proc: ChildProcess;
  /** Everything every process of this agent printed, in order. */
  output(): string;
  /** What the current process printed. */
  currentOutput(): string;
  /** True while the current process runs. */
  running(): boolean;
  /** SIGTERM, and asserts exit 0. */
  stop(): Promise<void>;
  /** SIGKILL (its crawls keep running). */
  kill9(): Promise<void>;
  /** Starts a new process on the same config and data dir (stops the current one first if it runs). */
  restart(opts?: { waitConnected?: boolean }): Promise<void>;
  /** Resolves with the exit code of the current process. */
  exited(): Promise<number | null>;
}

const STOP_TIMEOUT_MS = 20_000;

/** Agents that did not exit 0 on SIGTERM at cleanup: the file fails at the end (see startAgent's cleanup). */
const uncleanStops: string[] = [];
after(() => {
  if (uncleanStops.length > 0) assert.fail(`agents did not stop cleanly:\n- ${uncleanStops.join('\n- ')}`);
});

export async function startAgent(t: TestContext, opts: AgentOptions): Promise<AgentProcess> {
  const home = mkdtempSync(join(tmpdir(), 'scrapyard-agent-'));
  const dataDir = opts.dataDir ?? join(home, 'data');
  const configFile = join(home, 'agent.json');
  const credentialFile = join(dataDir, 'node-credential.json');
  const wantedId = opts.nodeId ?? `agent-${randomBytes(4).toString('hex')}`;
  const config: Record<string, unknown> = {
    masterUrl: opts.masterUrl ?? gatewayUrl(opts.master.url),
    dataDir,
    slots: opts.slots ?? 2,
    tags: opts.tags ?? [],
    dedicated: opts.dedicated ?? false,
    python: PYTHON,
    systemSitePackages: true,
    ...(process.env.PIP_FIND_LINKS ? { pipFindLinks: process.env.PIP_FIND_LINKS } : {}),
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
    ...(opts.register === false ? { nodeId: wantedId } : {}),
    ...opts.config,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const env = { SCRAPYARD_LOG_LEVEL: 'info', ...opts.env };

  let all = '';
  let current = '';
  let proc!: ChildProcess;
  let exited!: Promise<number | null>;
  let done = true;
  let exitSignal: NodeJS.Signals | null = null;
  let cleanedUp = false;

  t.after(async () => {
    cleanedUp = true;
    try {
      // Never throw here: a failing after-hook skips the hooks after it, leaking processes that hang the run.
      if (!done) {
        await agent.stop().catch((e: unknown) => {
          const msg = `${t.name}: ${(e as Error).message.split('\n')[0]}`;
          uncleanStops.push(msg);
          t.diagnostic(`unclean agent stop: ${msg}`);
        });
      }
    } finally {
      killCrawls(dataDir);
      rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
  });

  if (opts.register !== false && !existsSync(credentialFile)) {
    const token = opts.token ?? (await enroll(opts.master.url, {}, { auth: opts.auth, caFile: opts.caFile })).token;
    const reg = await runCli('agent', ['register', '--config', configFile, '--token', token, '--node-id', wantedId], {
      env,
    });
    assert.equal(reg.code, 0, `agent register should succeed:\n${reg.all}`);
  }
  const nodeId =
    opts.register === false
      ? wantedId
      : (JSON.parse(readFileSync(credentialFile, 'utf8')) as { nodeId: string }).nodeId;

  const spawnAgent = () => {
    const [file, args] = cliCommand('agent', ['--config', configFile]);
    current = '';
    proc = spawn(file, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (b: Buffer) => {
      all += b.toString();
      current += b.toString();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    done = false;
    const p = proc;
    exited = new Promise((resolve) =>
      p.on('exit', (code, signal) => {
        done = true;
        exitSignal = signal;
        resolve(code);
      }),
    );
  };
  const waitConnected = async () => {
    await waitFor(
      () => {
        if (/connected to master/.test(current)) return true;
        if (done) throw new Error(`agent ${nodeId} exited during start-up:\n${current}`);
        return false;
      },
      { timeoutMs: 30_000, what: `agent ${nodeId} to connect` },
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\nagent output:\n${current.slice(-4000)}`);
    });
  };

  const agent: AgentProcess = {
    nodeId,
    dataDir,
    configFile,
    credentialFile,
    get proc() {
      return proc;
    },
    output: () => all,
    currentOutput: () => current,
    running: () => !done,
    exited: () => exited,
    async stop() {
      if (done) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      assert.equal(
        code,
        0,
        `agent ${nodeId} should exit cleanly on SIGTERM (exit code ${code}, signal ${exitSignal}); output:\n${current.slice(-4000)}`,
      );
    },
    async kill9() {
      if (done) return;
      proc.kill('SIGKILL');
      await exited;
    },
    async restart(o = {}) {
      if (cleanedUp) throw new Error('agent already cleaned up');
      await agent.stop();
      spawnAgent();
      if (o.waitConnected ?? true) await waitConnected();
    },
  };
  spawnAgent();
  if (opts.waitConnected ?? true) await waitConnected();
  return agent;
}

/** Kills every crawl of an agent's data dir (a node that never comes back). */
export function killAgentCrawls(agent: AgentProcess): void {
  killCrawls(agent.dataDir);
}

/** The pids of crawl processes running from an agent's data dir. */
export function crawlPids(agent: AgentProcess): number[] {
  const r = spawnSync('pgrep', ['-f', `^${agent.dataDir}/.*venvs/[^ ]*/bin/python`], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((s) => Number(s));
}

interface AgentDb {
  prepare(sql: string): { all(...params: unknown[]): Record<string, unknown>[] };
  close(): void;
}
type AgentDbCtor = new (file: string, opts: { readonly: boolean; fileMustExist: boolean }) => AgentDb;

/**
 * Runs one query on an agent's `<dataDir>/agent.sqlite` (tables `runs` and `outbox`), opened read-only so it can
 * be read while the agent runs. better-sqlite3 is loaded from the agent package, whose dependency it is.
 */
export function queryAgentDb(agent: AgentProcess, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const Ctor = createRequire(join(ROOT, 'packages/agent/package.json'))('better-sqlite3') as AgentDbCtor;
  const db = new Ctor(join(agent.dataDir, 'agent.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}
