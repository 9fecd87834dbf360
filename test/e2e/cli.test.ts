/** The two commands: --help, bad configuration (exit 2 with the key named), and a clean SIGTERM stop. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startMaster, tempDir } from '../helpers/processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

void test('both commands are linked into node_modules/.bin and print --help', () => {
  for (const name of ['scrapyard-master', 'scrapyard-agent']) {
    const r = spawnSync(bin(name), ['--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Usage: ${name}`));
  }
  const node = spawnSync(bin('scrapyard-master'), ['node', '--help'], { encoding: 'utf8' });
  assert.equal(node.status, 0, node.stderr);
  assert.match(node.stdout, /enroll \[--node-id ID\]/);
  const sched = spawnSync(bin('scrapyard-master'), ['schedule', '--help'], { encoding: 'utf8' });
  assert.equal(sched.status, 0, sched.stderr);
  assert.match(sched.stdout, /preview \(--cron EXPR \| --every DURATION\)/);
  const noCommand = spawnSync(bin('scrapyard-master'), ['schedule'], { encoding: 'utf8' });
  assert.deepEqual([noCommand.status, /Usage: scrapyard-master schedule/.test(noCommand.stdout)], [2, true]);
  const unknown = spawnSync(bin('scrapyard-master'), ['schedule', 'explode', '--url', 'http://127.0.0.1:1'], {
    encoding: 'utf8',
  });
  assert.deepEqual([unknown.status, /unknown schedule command "explode"/.test(unknown.stderr)], [2, true]);
  const register = spawnSync(bin('scrapyard-agent'), ['register'], {
    encoding: 'utf8',
    env: { ...process.env, SCRAPYARD_MASTER_URL: 'ws://127.0.0.1:1' },
  });
  assert.equal(register.status, 2);
  assert.match(register.stderr, /register needs --token/);
});

void test('bad configuration exits non-zero and names the problem', (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'scrapyd.conf');
  writeFileSync(conf, '[scrapyd]\nhttp_port = not-a-port\n');
  const r = spawnSync(bin('scrapyard-master'), ['--config', conf], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.ok(r.stderr.includes(`http_port = not-a-port in ${conf} [scrapyd]: not a number`), r.stderr);
  const flag = spawnSync(bin('scrapyard-master'), ['--no-such-flag'], { encoding: 'utf8' });
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /no-such-flag/);
  const agent = spawnSync(bin('scrapyard-agent'), [], {
    encoding: 'utf8',
    env: { ...process.env, SCRAPYARD_MASTER_URL: 'ftp://x' },
  });
  assert.equal(agent.status, 2);
  assert.match(
    agent.stderr,
    /^scrapyard-agent: CONFIG_INVALID: SCRAPYARD_MASTER_URL=ftp:\/\/x: must be http\(s\):\/\/host:port/,
  );
});

void test('SIGTERM stops the master cleanly (exit 0)', async (t) => {
  const master = await startMaster(t);
  assert.equal(await master.stop(), 0);
  assert.match(master.output(), /"msg":"stopping"/);
});
