import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { masterRequest } from './http-client.js';

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A private CA and two server certificates it signed, `a` and `b`, both for `san`. */
function pki(t: TestContext, san: string) {
  const dir = mkdtempSync(join(tmpdir(), 'agent-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test CA'], dir);
  writeFileSync(join(dir, 'ext'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
  const leaf = (name: string) => {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
        '-out',
        `${name}.pem`,
        '-days',
        '1',
        '-extfile',
        'ext',
      ]),
      dir,
    );
    return { cert: readFileSync(join(dir, `${name}.pem`)), key: readFileSync(join(dir, `${name}.key`)) };
  };
  return { ca: readFileSync(join(dir, 'ca.pem')), a: leaf('a'), b: leaf('b') };
}

async function serve(t: TestContext, cert: { cert: Buffer; key: Buffer }): Promise<string> {
  const server = createServer(cert, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return `https://127.0.0.1:${addr.port}/`;
}

const status = async (url: string, ca: Buffer, caIsMasterCert: boolean) =>
  (await masterRequest(url, { method: 'GET' }, { ca, caIsMasterCert, timeoutMs: 5_000 })).statusCode;

void test("the embedded agent's trust: its master's own CA-signed certificate, matched exactly", async (t) => {
  // The certificates name another host: the pin, not the host name, decides.
  const { ca, a, b } = pki(t, 'DNS:crawler.example.com');
  const urlA = await serve(t, a);
  const urlB = await serve(t, b);
  assert.equal(await status(urlA, a.cert, true), 200, 'its own certificate, though a CA signed it');
  // Even with the CA in the file (a full chain), a sibling certificate of the same CA is refused.
  await assert.rejects(status(urlB, Buffer.concat([a.cert, ca]), true), /not its own/);
  await assert.rejects(status(urlB, a.cert, true), /certificate/);
  // Without the pin, the usual rules: a CA must have signed it (the leaf is no anchor), and the host name must
  // match. (A server of its own: TLS sessions are cached per address and CA, and resuming one skips the checks.)
  const urlA2 = await serve(t, a);
  await assert.rejects(status(urlA2, a.cert, false), /certificate/);
  await assert.rejects(status(urlA2, ca, false), /altnames|Hostname/);
});
