import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import { adminTokenPath, loadOrCreateAdminToken, readAdminToken } from './admin-token.js';

const logger = pino({ level: 'silent' });

function dir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'admin-token-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

void test('written 0600 on first start, kept on the next, readable by the CLI', (t) => {
  const d = dir(t);
  const token = loadOrCreateAdminToken(d, logger);
  assert.match(token, /^adm_[0-9a-f]{64}$/);
  assert.equal(statSync(adminTokenPath(d)).mode & 0o777, 0o600);
  assert.equal(loadOrCreateAdminToken(d, logger), token);
  assert.deepEqual(readAdminToken(d), { token });
});

void test('replaced when readable by others, malformed, or not a regular file (a symlink is not followed)', (t) => {
  const d = dir(t);
  const path = adminTokenPath(d);
  const first = loadOrCreateAdminToken(d, logger);
  chmodSync(path, 0o640);
  const second = loadOrCreateAdminToken(d, logger);
  assert.notEqual(second, first);
  assert.equal(statSync(path).mode & 0o777, 0o600);

  writeFileSync(path, 'adm_short\n', { mode: 0o600 });
  assert.notEqual(loadOrCreateAdminToken(d, logger), 'adm_short');

  const elsewhere = join(d, 'planted');
  writeFileSync(elsewhere, `adm_${'1'.repeat(64)}\n`, { mode: 0o600 });
  rmSync(path);
  symlinkSync(elsewhere, path);
  const third = loadOrCreateAdminToken(d, logger);
  assert.notEqual(third, `adm_${'1'.repeat(64)}`);
  assert.equal(readFileSync(elsewhere, 'utf8').trim(), `adm_${'1'.repeat(64)}`, 'the link target is untouched');
  assert.ok(statSync(path).isFile());
});

void test('the CLI says why there is no token', (t) => {
  const d = dir(t);
  assert.match(
    'problem' in readAdminToken(d) ? (readAdminToken(d) as { problem: string }).problem : '',
    /no such file/,
  );
  writeFileSync(adminTokenPath(d), 'garbage');
  assert.deepEqual(readAdminToken(d), { problem: `${adminTokenPath(d)}: not an admin token` });
});
