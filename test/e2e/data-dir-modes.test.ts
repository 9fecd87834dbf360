/**
 * The master's data dir is private to its user whatever the umask: created 0700 with every file in it 0600
 * (database and its WAL and SHM files, secrets key, admin token, eggs, logs, items). An existing data dir others
 * can read is tightened at start-up and the log says so; one that belongs to another user is refused, with the
 * command that fixes it, and left as it was.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliCommand } from '../helpers/agents.js';
import { logRecords } from '../helpers/cluster.js';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { waitFor } from '../helpers/wait.js';
import { HERMETIC_ENV, startMaster, tempDir } from '../helpers/processes.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const octal = (mode: number) => `0${mode.toString(8)}`;

/** Every entry under `root` with its mode (links not followed). */
function walk(root: string): [string, number, boolean][] {
  const out: [string, number, boolean][] = [];
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const p = join(root, name);
    const st = statSync(p);
    out.push([p, st.mode & 0o777, st.isDirectory()]);
  }
  return out;
}

function assertPrivate(dataDir: string, trees: string[]): void {
  assert.equal(octal(modeOf(dataDir)), '0700', 'the data dir');
  for (const f of ['master.sqlite', 'master.sqlite-wal', 'master.sqlite-shm', 'secrets.key', 'admin-token']) {
    assert.equal(octal(modeOf(join(dataDir, f))), '0600', f);
  }
  for (const tree of trees) {
    assert.equal(octal(modeOf(join(dataDir, tree))), '0700', tree);
    for (const [p, mode, dir] of walk(join(dataDir, tree))) assert.equal(octal(mode), dir ? '0700' : '0600', p);
  }
}

void test('a fresh data dir is created 0700 with every file 0600, under umask 022', async (t) => {
  process.umask(0o022);
  const dataDir = tempDir(t);
  rmdirSync(dataDir); // the master creates it
  // The SQLite files are what is under test here.
  const master = await startMaster(t, { dataDir, database: '' });
  const api = new ScrapydClient(master.url);
  await deploy(api);
  const job = await schedule(api, { project: 'demo', spider: 'quick' });
  await waitFinished(api, job);
  const trees = ['eggs', 'logs', 'items'];
  // Items may still be arriving after the finish: wait until each tree holds a file.
  await waitFor(() => trees.every((tree) => walk(join(dataDir, tree)).some(([, , dir]) => !dir)), {
    what: 'the deploy and the job to write to eggs/, logs/ and items/',
  });
  assertPrivate(dataDir, trees);
});

void test('an existing data dir others can read is tightened at start-up, and the log says so', async (t) => {
  process.umask(0o022);
  const dataDir = tempDir(t);
  const first = await startMaster(t, { dataDir, database: '', args: ['--no-local-agent'] });
  assert.equal(await first.stop(), 0);
  // As an older master under umask 022 left it (a WAL and SHM survive an unclean stop).
  for (const f of ['master.sqlite-wal', 'master.sqlite-shm']) writeFileSync(join(dataDir, f), '', { flag: 'a' });
  mkdirSync(join(dataDir, 'eggs', 'ab'), { recursive: true });
  writeFileSync(join(dataDir, 'eggs', 'ab', 'abcd.egg'), 'egg');
  mkdirSync(join(dataDir, 'logs', 'demo', 'quick'), { recursive: true });
  writeFileSync(join(dataDir, 'logs', 'demo', 'quick', 'job1.log'), 'log');
  chmodSync(dataDir, 0o755);
  // (Not the admin token and secrets key, always written 0600: a looser one is replaced or refused, see
  // cluster-enroll.test.ts.)
  for (const [p, , dir] of walk(dataDir)) {
    if (!/(admin-token|secrets\.key)$/.test(p)) chmodSync(p, dir ? 0o755 : 0o644);
  }

  const master = await startMaster(t, { dataDir, database: '', args: ['--no-local-agent'] });
  const [warning] = logRecords(
    master.output(),
    'data dir: other users could read it; tightened it to owner-only (directories 0700, files 0600)',
  );
  assert.equal(warning?.level, 40, `logged at warn:\n${master.output()}`);
  const examples = (warning?.examples as string[]).join('\n');
  assert.match(examples, new RegExp(`${dataDir}: 0755 → 0700`));
  assert.match(examples, /master\.sqlite: 0644 → 0600/);
  assertPrivate(dataDir, ['eggs', 'logs']);
});

void test('a data dir of another user that others can read is refused, with the fix, and left alone', (t) => {
  const dataDir = tempDir(t);
  const nobody = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
  chownSync(dataDir, nobody, nobody);
  chmodSync(dataDir, 0o755);
  const [file, argv] = cliCommand('master', ['--port', '0', '--data-dir', dataDir, '--no-local-agent']);
  const r = spawnSync(file, argv, {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, ...HERMETIC_ENV, SCRAPYARD_DATABASE_URL: '' },
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /DATA_DIR_UNSAFE: the data dir .* is owned by uid \d+, not by this master's user/);
  assert.match(r.stderr, new RegExp(`chown -R root ${dataDir} && chmod 700 ${dataDir}`));
  assert.doesNotMatch(r.stdout, /listening/, 'it never listened');
  assert.equal(octal(modeOf(dataDir)), '0755', 'left as it was');
  assert.deepEqual(readdirSync(dataDir), [], 'nothing was created in it');
});
