/**
 * The node credential on disk: `<dataDir>/node-credential.json`, mode 0600, written atomically (temp file,
 * fsync, rename) so a crash mid-write never leaves a node without a usable secret.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { NodeCredentialFile } from '@scrapyard/protocol';

export const CREDENTIAL_FILE = 'node-credential.json';

export function credentialPath(dataDir: string): string {
  return join(dataDir, CREDENTIAL_FILE);
}

export function readCredential(path: string): NodeCredentialFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `no node credential at ${path}: run \`scrapyard-agent register --token TOKEN\` (with --url or --config) first`
        : `cannot read ${path}: ${code ?? String(e)}`,
    );
  }
  const parsed = NodeCredentialFile.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${path} is not a node credential: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function writeCredential(path: string, cred: NodeCredentialFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(cred, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
