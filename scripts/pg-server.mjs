#!/usr/bin/env node
// A throwaway PostgreSQL server for tests, the bench and CI: a fresh cluster in a temp dir, on 127.0.0.1 and a free
// port, with a random superuser password; stop(), or our exit or SIGINT/SIGTERM, removes every trace of it (only a
// SIGKILL of this process leaves it running: nothing can run then).
// Usage: node scripts/pg-server.mjs [--durable]   prints the server's URL and runs until SIGINT/SIGTERM.
//
// PostgreSQL refuses to run as root, so as root the cluster belongs to, and its processes run as, the `postgres`
// user. Binaries: $PG_BIN, else the newest /usr/lib/postgresql/*/bin (Debian), else initdb on the PATH.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client } from 'pg';

const HOST = '127.0.0.1';
const USER = 'scrapyard';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LINES_KEPT = 200;

/**
 * @typedef {object} PostgresServer
 * @property {string} url superuser URL of the `postgres` database
 * @property {string} host
 * @property {number} port
 * @property {string} user
 * @property {string} password
 * @property {string} dataDir
 * @property {(name?: string) => Promise<string>} createDatabase creates a database (default `t_<hex>`), returns its URL
 * @property {(name: string) => Promise<void>} dropDatabase drops it, disconnecting its sessions
 * @property {() => Promise<void>} stop fast shutdown, then removes the temp dir; idempotent
 */

/** @returns {{ initdb: string, postgres: string }} */
function findBinaries() {
  const inDir = (dir) =>
    existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))
      ? { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') }
      : null;
  const advice = 'apt-get install postgresql, or set PG_BIN to the directory holding initdb and postgres';
  if (process.env.PG_BIN) {
    const found = inDir(process.env.PG_BIN);
    if (!found)
      throw new Error(`PostgreSQL not found: PG_BIN=${process.env.PG_BIN} has no initdb and postgres (${advice})`);
    return found;
  }
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian) : [];
  versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  for (const dir of [...versions.map((v) => join(debian, v, 'bin')), ...(process.env.PATH ?? '').split(delimiter)]) {
    const found = dir && inDir(dir);
    if (found) return found;
  }
  throw new Error(`PostgreSQL not found: ${advice}`);
}

/** The user the server runs as: `postgres` when we are root (initdb and postgres refuse root), else ourselves. */
function serverUser() {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(
      'PostgreSQL refuses to run as root and there is no "postgres" user to run it as: ' +
        "install Debian's postgresql package (it creates one), add the user (useradd --system postgres), or run as a non-root user",
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/** C.UTF-8 where the C library has it (UTF-8 aware upper()/lower()), else the plain C locale. */
function localeArgs() {
  const locales = spawnSync('locale', ['-a'], { encoding: 'utf8' }).stdout ?? '';
  return /^c\.utf-?8$/im.test(locales) ? ['--locale=C.UTF-8'] : ['--no-locale'];
}

/** A port nobody listens on right now (it may be taken before postgres binds it: the caller retries). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolvePort(port));
    });
  });
}

const alive = (child) => child.exitCode === null && child.signalCode === null;

/** @returns {Promise<boolean>} whether the child exited within `ms` */
function exited(child, ms) {
  if (!alive(child)) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/**
 * SIGKILL to the child's process group: what the leader leaves behind (initdb's bootstrap backend, the backends of a
 * killed postmaster) would otherwise keep writing into the directory we are about to remove.
 */
function killGroup(child) {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left.
  }
}

/** SIGINT is postgres's fast shutdown (SIGTERM would wait for every client to disconnect). */
async function terminate(child) {
  if (alive(child)) {
    child.kill('SIGINT');
    if (!(await exited(child, STOP_TIMEOUT_MS))) {
      killGroup(child);
      await exited(child, 5_000);
    }
  }
  killGroup(child);
}

/** Killed processes may still be finishing a write or two: retry (synchronously, so that it works on exit too). */
function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
}

// Servers of this process, so that our death takes them along: a postmaster outlives its parent otherwise.
/** @type {Set<{ base: string, child: import('node:child_process').ChildProcess | null, stop: () => Promise<void> }>} */
const live = new Set();
let signalled = false;

function killAllNow() {
  for (const s of live) {
    if (s.child) killGroup(s.child);
    try {
      removeDir(s.base);
    } catch (err) {
      console.error(`pg-server.mjs: could not remove ${s.base}: ${err.message}`);
    }
  }
  live.clear();
}

async function onSignal(signal) {
  // A second signal while the servers shut down means hurry.
  if (signalled) killAllNow();
  signalled = true;
  await Promise.allSettled([...live].map((s) => s.stop()));
  killAllNow();
  unwatch();
  signalled = false;
  // Listening to a signal cancels its default action (exit): unless someone else handles it, re-raise it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function watch() {
  if (live.size > 0) return;
  process.on('exit', killAllNow);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function unwatch() {
  process.off('exit', killAllNow);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/**
 * Runs a command to completion, collecting its output.
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function run(entry, file, args, options) {
  return new Promise((done, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    entry.child = child;
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (t) => (output += t));
    child.stderr.setEncoding('utf8').on('data', (t) => (output += t));
    child.on('error', reject);
    child.on('close', (code) => done({ code, output }));
  });
}

/**
 * Starts a throwaway PostgreSQL server (see the top of this file).
 * @param {{ durable?: boolean, log?: (line: string) => void }} [opts] durable: keep fsync and friends on (the bench
 *   measures real commits); off by default for fast tests. log: receives every server log line.
 * @returns {Promise<PostgresServer>}
 */
export async function startPostgres(opts = {}) {
  const bin = findBinaries();
  const owner = serverUser();
  const base = mkdtempSync(join(tmpdir(), 'scrapyard-pg-'));
  const dataDir = join(base, 'data');
  const password = randomBytes(24).toString('hex');
  /** @type {{ base: string, child: import('node:child_process').ChildProcess | null, stop: () => Promise<void> }} */
  const entry = { base, child: null, stop: async () => {} };
  let stopping = null;
  entry.stop = () =>
    (stopping ??= (async () => {
      if (entry.child) await terminate(entry.child);
      removeDir(base);
      live.delete(entry);
      if (live.size === 0) unwatch();
    })());
  watch();
  live.add(entry);

  // cwd: ours may be out of the postgres user's reach. detached: a process group of its own, see killGroup().
  const spawnOptions = { cwd: base, detached: true, ...(owner ?? {}) };
  const log = [];
  try {
    mkdirSync(dataDir, { mode: 0o700 });
    const pwfile = join(base, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) for (const p of [base, dataDir, pwfile]) chownSync(p, owner.uid, owner.gid);

    const init = await run(
      entry,
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        ...localeArgs(),
        // Nothing here has to survive a power cut.
        '--no-sync',
      ],
      spawnOptions,
    );
    rmSync(pwfile, { force: true });
    if (init.code !== 0) {
      const hint = owner ? ` (the postgres user must be able to reach ${base}: is TMPDIR in a private directory?)` : '';
      throw new Error(`initdb failed with exit code ${init.code}${hint}:\n${init.output.trim()}`);
    }

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      log.length = 0;
      const child = spawn(
        bin.postgres,
        [
          '-D',
          dataDir,
          '-c',
          `listen_addresses=${HOST}`,
          '-c',
          `port=${port}`,
          '-c',
          `unix_socket_directories=${dataDir}`,
          '-c',
          'max_connections=200',
          '-c',
          'shared_buffers=128MB',
          ...(opts.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
        ],
        { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      entry.child = child;
      const closed = new Promise((done) => child.once('close', done));
      let partial = '';
      const onData = (text) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          log.push(line);
          if (log.length > LOG_LINES_KEPT) log.shift();
          opts.log?.(line);
        }
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      // A spawn failure surfaces as the server never getting ready; without a listener it would be thrown.
      child.on('error', (err) => onData(`spawn ${bin.postgres}: ${err.message}\n`));

      const server = {
        host: HOST,
        port,
        user: USER,
        password,
        dataDir,
        url: urlOf(port, password, 'postgres'),
        createDatabase: async (name = `t_${randomBytes(8).toString('hex')}`) => {
          await adminQuery(server.url, `CREATE DATABASE ${quoteIdent(name)}`);
          return urlOf(port, password, name);
        },
        dropDatabase: (name) => adminQuery(server.url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
        stop: entry.stop,
      };
      if (await ready(child, server.url)) return server;
      await terminate(child);
      // The last lines (the reason) may still be in the pipe; bounded, as killed backends may hold it a moment.
      await Promise.race([closed, sleep(1_000)]);
      const tail = `${log.join('\n')}${partial}`.trim();
      // The port was free a moment ago; someone else may have bound it since.
      if (attempt < 5 && /already in use/i.test(tail)) continue;
      throw new Error(`PostgreSQL did not start (${bin.postgres}, port ${port}):\n${tail}`);
    }
  } catch (err) {
    await entry.stop();
    throw err;
  }
}

/** Waits (bounded) until the server answers a query; false if it exited or never did. */
async function ready(child, url) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (alive(child) && Date.now() < deadline) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      // "the database system is starting up", or not listening yet.
      await sleep(100);
    } finally {
      await client.end().catch(() => {});
    }
  }
  return false;
}

function urlOf(port, password, database) {
  return `postgres://${USER}:${encodeURIComponent(password)}@${HOST}:${port}/${encodeURIComponent(database)}`;
}

function quoteIdent(name) {
  return `"${String(name).replaceAll('"', '""')}"`;
}

async function adminQuery(url, sql) {
  const client = new Client({ connectionString: url });
  // Errors reach us through connect() and query(); an 'error' event without a listener would crash the process.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startPostgres({ durable: process.argv.includes('--durable') });
  console.log(server.url);
  console.error(
    `PostgreSQL ${server.host}:${server.port}, data in ${server.dataDir}; stop with Ctrl-C. For the tests:\n` +
      `  SCRAPYARD_TEST_PG_URL='${server.url}' node scripts/test.mjs ...`,
  );
  const shutdown = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
