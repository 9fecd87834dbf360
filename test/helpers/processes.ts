/**
 * Starts real master processes for end-to-end tests: on 127.0.0.1, a free port (the master listens on port 0 and
 * logs the one it got), a temporary data dir, and no Scrapyd config file from this machine (SCRAPYARD_CONFIG_SEARCH
 * empty) unless the test gives one. Cleanup stops the master with SIGTERM, asserts it exited cleanly, and kills any
 * crawl still running from that data dir (crawls outlive their agent by design). `adminTokenFor(url)` reads the
 * admin token of a master this process started, as `scrapyard-master node …` does on the master host.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from './postgres.js';
import { PYTHON } from './python.js';
import { waitFor } from './wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** e2e runs the built daemons (what we ship); SCRAPYARD_TEST_FROM_SOURCE=1 runs src through tsx instead. */
const FROM_SOURCE = process.env.SCRAPYARD_TEST_FROM_SOURCE === '1';

export interface MasterProcess {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL the master (its embedded agent dies with it; crawls keep running). */
  kill9(): Promise<void>;
  /** Stops it with SIGTERM (if still running) and asserts it exited 0, unless the test killed it on purpose. */
  assertCleanStop(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  /** Added to the master's environment; `undefined` removes a variable (e.g. a default of these helpers). */
  env?: Record<string, string | undefined>;
  /** Keep the data dir after the test (for a restart within the same test, pass dataDir instead). */
  keepDataDir?: boolean;
  /** Working directory of the master (default the repository root). */
  cwd?: string;
  /**
   * database_url: a PostgreSQL database (see stores.ts), or '' for SQLite in the data dir. Absent: the store of
   * this run (SCRAPYARD_TEST_STORE), the same database for every master of a data dir.
   */
  database?: string;
}

/** outbound_allowed_hosts of test masters: public hosts (the default, `*`) and the loopback receivers of tests. */
export const LOOPBACK_RECEIVERS = '*,127.0.0.1,::1';

/** Env every test daemon gets: no Scrapyd config file of this machine leaks into a test. */
export const HERMETIC_ENV: Record<string, string> = { SCRAPYARD_CONFIG_SEARCH: '' };

function command(args: string[]): [string, string[]] {
  if (FROM_SOURCE) {
    return [
      process.execPath,
      ['--conditions=@scrapyard/source', '--import', 'tsx', join(ROOT, 'packages/master/src/main.ts'), ...args],
    ];
  }
  return [process.execPath, [join(ROOT, 'packages/master/dist/main.js'), ...args]];
}

/** Masters started on each data dir, so a dir's cleanup can stop them first (after-hooks run in FIFO order). */
const mastersByDir = new Map<string, MasterProcess[]>();
/** The data dir of the master listening on each port (http or https URL alike). */
const dataDirByPort = new Map<number, string>();

/** `<dataDir>/admin-token` of a master, or undefined if it has none (yet). */
export function adminTokenOf(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The data dir of the master (started by this test process) that serves `url`. */
export function dataDirFor(url: string): string | undefined {
  const u = new URL(url);
  return dataDirByPort.get(Number(u.port));
}

/** The admin token of the master serving `url`, if this test process started it. */
export function adminTokenFor(url: string): string | undefined {
  const dir = dataDirFor(url);
  return dir === undefined ? undefined : adminTokenOf(dir);
}

export function tempDir(t: TestContext, prefix = 'scrapyard-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(async () => {
    for (const m of mastersByDir.get(dir) ?? []) await m.assertCleanStop();
    mastersByDir.delete(dir);
    killCrawls(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  return dir;
}

/** Kills crawl processes started from a data dir: they run its venvs' interpreters (the master does not). */
export function killCrawls(dataDir: string): void {
  spawnSync('pkill', ['-9', '-f', `^${dataDir}/.*venvs/[^ ]*/bin/python`]);
}

/** The pids of crawl processes running from a data dir (a master's, or an agent's). */
export function crawlPidsIn(dataDir: string): number[] {
  const r = spawnSync('pgrep', ['-f', `^${dataDir}/.*venvs/[^ ]*/bin/python`], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((s) => Number(s));
}

/**
 * The e2e suite runs a second time with SCRAPYARD_TEST_STORE=postgres (scripts/test.mjs): every master a test
 * starts without choosing a store then keeps its state in a database of its own on the run's PostgreSQL server.
 */
const RUN_STORE = process.env.SCRAPYARD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
/** The PostgreSQL database of each data dir (so a restarted master finds its state). */
const databaseByDir = new Map<string, string>();
/** Databases made here for the run's store, dropped when the file ends. */
const created: (() => Promise<void>)[] = [];
// After every test of the file, so after every master has stopped (a test's own cleanups run at its end).
after(async () => {
  for (const drop of created.splice(0)) await drop();
});

async function databaseOf(dataDir: string, chosen: string | undefined): Promise<string | undefined> {
  if (chosen === '') return undefined;
  let url = chosen ?? databaseByDir.get(dataDir);
  if (url === undefined && RUN_STORE === 'postgres') {
    const db = await createTestDatabase();
    created.push(db.drop);
    url = db.url;
  }
  if (url !== undefined) databaseByDir.set(dataDir, url);
  return url;
}

/** The database_url of the masters of a data dir, if they run on PostgreSQL. */
export function databaseFor(dataDir: string): string | undefined {
  return databaseByDir.get(dataDir);
}

export async function startMaster(t: TestContext, opts: StartOptions = {}): Promise<MasterProcess> {
  const dataDir = opts.dataDir ?? tempDir(t);
  const database = await databaseOf(dataDir, opts.database);
  const [file, args] = command(['--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...HERMETIC_ENV,
    SCRAPYARD_PYTHON: PYTHON,
    SCRAPYARD_NODE_NAME: 'test-node',
    SCRAPYARD_LOG_LEVEL: 'info',
    SCRAPYARD_DATABASE_URL: database ?? '',
    // Test receivers (webhooks, SMTP, Telegram stand-ins) listen on loopback, which the default refuses; a test of
    // the default passes `SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: undefined`.
    SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: LOOPBACK_RECEIVERS,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const proc = spawn(file, args, {
    cwd: opts.cwd ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let done = false;
  let killedOnPurpose = false;
  void exited.then(() => (done = true));

  const port = await waitFor(
    () => {
      if (done) throw new Error(`master exited during start-up:\n${out}`);
      const m = /"port":(\d+)[^\n]*listening/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
    { timeoutMs: 30_000, what: 'master to listen' },
  );
  const url = `http://127.0.0.1:${port}`;
  const master: MasterProcess = {
    url,
    port,
    dataDir,
    proc,
    output: () => out,
    async stop() {
      if (!done) proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      killedOnPurpose = true;
      if (!done) proc.kill('SIGKILL');
      await exited;
    },
    async assertCleanStop() {
      if (killedOnPurpose) return;
      const code = await master.stop();
      assert.equal(code, 0, `master should exit cleanly on SIGTERM; output:\n${out.slice(-4000)}`);
    },
  };
  mastersByDir.set(dataDir, [...(mastersByDir.get(dataDir) ?? []), master]);
  dataDirByPort.set(port, dataDir);
  t.after(() => master.assertCleanStop());
  // The embedded agent connects right after listen; most tests need it.
  if (!(opts.args ?? []).includes('--no-local-agent')) {
    await waitFor(() => /connected to master/.test(out), { timeoutMs: 30_000, what: 'embedded agent to connect' });
  }
  return master;
}
