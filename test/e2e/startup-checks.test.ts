/**
 * Configurations that would leave the master open by accident are refused at start-up (exit 2, named), before
 * anything is created or bound: half a basic-auth pair, and a non-loopback bind_address without credentials
 * unless `allow_unauthenticated = on` (which starts, with a warning).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliCommand } from '../helpers/agents.js';
import { logRecords } from '../helpers/cluster.js';
import { request } from '../helpers/http.js';
import { HERMETIC_ENV, startMaster, tempDir } from '../helpers/processes.js';

/** Runs the master to its exit (it must refuse to start); returns its status and stderr. */
function refusedStart(args: string[], env: Record<string, string> = {}) {
  const [file, argv] = cliCommand('master', [...args, '--port', '0']);
  const r = spawnSync(file, argv, {
    encoding: 'utf8',
    // A refusal is immediate; a master that starts instead is stopped (SIGTERM) and fails the status check.
    timeout: 15_000,
    env: { ...process.env, ...HERMETIC_ENV, ...env },
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

void test('half a basic-auth pair is a configuration error, never "auth off"', (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  const onlyUser = refusedStart(['--data-dir', dataDir], { SCRAPYD_USERNAME: 'admin' });
  assert.equal(onlyUser.status, 2, onlyUser.stderr);
  assert.match(onlyUser.stderr, /password: username is set without password/);
  const conf = join(dir, 'scrapyd.conf');
  writeFileSync(conf, '[scrapyd]\npassword = secret\n');
  const onlyPassword = refusedStart(['--config', conf, '--data-dir', dataDir]);
  assert.equal(onlyPassword.status, 2, onlyPassword.stderr);
  assert.match(onlyPassword.stderr, /username: password is set without username/);
  assert.ok(!onlyPassword.stderr.includes('secret'), 'the password is not printed');
  assert.equal(existsSync(dataDir), false, 'nothing was created');
});

void test('a non-loopback bind_address without credentials refuses to start', (t) => {
  const dataDir = join(tempDir(t), 'data');
  for (const bind of ['0.0.0.0', '::']) {
    const r = refusedStart(['--bind', bind, '--data-dir', dataDir]);
    assert.equal(r.status, 2, `${bind}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`bind_address ${bind.replace(/[.:]/g, '\\$&')} is not a loopback address`));
    assert.match(r.stderr, /allow_unauthenticated = on/);
    assert.doesNotMatch(r.stdout, /listening/, 'it never listened');
  }
  assert.equal(existsSync(dataDir), false, 'nothing was created');
});

void test('allow_unauthenticated = on starts with a warning; administration still needs the admin token', async (t) => {
  // `127.1` is 127.0.0.1 to the resolver, but not a literal loopback address, so the check counts it as exposed
  // (as it does any name): the test exercises the non-loopback path without opening a port to the network.
  const refused = refusedStart(['--bind', '127.1', '--data-dir', join(tempDir(t), 'data')]);
  assert.equal(refused.status, 2, refused.stderr);
  const master = await startMaster(t, {
    args: ['--bind', '127.1', '--no-local-agent'],
    env: { SCRAPYARD_ALLOW_UNAUTHENTICATED: 'on' },
  });
  const [warning] = logRecords(
    master.output(),
    'listening on 127.1 without credentials (allow_unauthenticated = on): anyone who reaches this port can deploy and run code',
  );
  assert.equal(warning?.level, 40, 'logged at warn');
  const anon = await request(`${master.url}/api/v1/nodes/enrollments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(anon.status, 401, anon.text);
});
