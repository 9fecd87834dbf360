/**
 * Seals the secrets the master must keep readable to use them (webhook signing keys, SMTP passwords, bot tokens,
 * Slack URLs): AES-256-GCM under one key, so the database (and its backups) never holds them in plain text.
 *
 * The key is `secrets_key` (base64 of 32 bytes; several masters on one database share it) or else
 * `<data_dir>/secrets.key`, generated at first start. A key file that exists but is unusable stops the start:
 * replacing it would make every stored secret unreadable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CatalogueError } from '@scrapyard/protocol';
import { writePrivateFile } from './private-file.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Version prefix: a later key rotation can tell sealed formats apart. */
const PREFIX = 'v1:';

/** CONFIG_INVALID: the key itself (secrets_key, secrets.key); SECRET_UNREADABLE: a sealed value it can't open. */
export class SecretBoxError extends CatalogueError {
  constructor(message: string, code: 'CONFIG_INVALID' | 'SECRET_UNREADABLE' = 'CONFIG_INVALID') {
    super(code, message);
  }
}

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SecretBoxError(`a secrets key is ${KEY_BYTES} bytes, got ${key.length}`);
    this.#key = key;
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new SecretBoxError('not a sealed secret', 'SECRET_UNREADABLE');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed secret is truncated', 'SECRET_UNREADABLE');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(
        'a stored secret does not open with this secrets key (was secrets_key changed?)',
        'SECRET_UNREADABLE',
      );
    }
  }
}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretBoxError(`${where}: expected base64 of ${KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

/** The box of this master: from `secrets_key`, else the data dir's key file (created when missing). */
export function loadSecretBox(opts: { secretsKey: string; dataDir: string; logger: Logger }): SecretBox {
  if (opts.secretsKey !== '') return new SecretBox(decodeKey(opts.secretsKey, 'secrets_key'));
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const path = join(opts.dataDir, 'secrets.key');
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    writePrivateFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
    opts.logger.info({ path }, 'secrets key: generated (mode 0600); back it up with the database');
    return new SecretBox(decodeKey(readFileSync(path, 'utf8'), path));
  }
  if (!st.isFile()) throw new SecretBoxError(`${path}: not a regular file`);
  if ((st.mode & 0o077) !== 0) throw new SecretBoxError(`${path}: readable by other users (chmod 600 it)`);
  return new SecretBox(decodeKey(readFileSync(path, 'utf8'), path));
}
