import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { loadSecretBox, SecretBox, SecretBoxError } from './secret-box.js';

const logger = pino({ level: 'silent' });

void test('sealed secrets open with the same key only, and never contain the plain text', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));
  const sealed = box.seal('whsec_topsecret');
  assert.ok(!sealed.includes('topsecret'));
  assert.notEqual(box.seal('whsec_topsecret'), sealed, 'a fresh IV each time');
  assert.equal(box.open(sealed), 'whsec_topsecret');
  assert.throws(() => new SecretBox(Buffer.alloc(32, 8)).open(sealed), SecretBoxError);
  assert.throws(() => box.open(sealed.slice(0, 10)), SecretBoxError);
});

void test('the data dir key is generated once with mode 0600 and reused; a loose or bad key stops the start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-box-'));
  const sealed = loadSecretBox({ secretsKey: '', dataDir: dir, logger }).seal('x');
  assert.equal(statSync(join(dir, 'secrets.key')).mode & 0o777, 0o600);
  assert.equal(loadSecretBox({ secretsKey: '', dataDir: dir, logger }).open(sealed), 'x');
  chmodSync(join(dir, 'secrets.key'), 0o644);
  assert.throws(() => loadSecretBox({ secretsKey: '', dataDir: dir, logger }), /readable by other users/);
  writeFileSync(join(dir, 'secrets.key'), 'short', { mode: 0o600 });
  chmodSync(join(dir, 'secrets.key'), 0o600);
  assert.throws(() => loadSecretBox({ secretsKey: '', dataDir: dir, logger }), /base64 of 32 bytes/);
  const configured = Buffer.alloc(32, 1).toString('base64');
  assert.equal(
    loadSecretBox({ secretsKey: configured, dataDir: dir, logger }).open(new SecretBox(Buffer.alloc(32, 1)).seal('y')),
    'y',
  );
});
