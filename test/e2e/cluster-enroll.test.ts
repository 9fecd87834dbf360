/**
 * Enrollment of permanent nodes, end to end: keys from the REST API and from `scrapyard-master node enroll`,
 * `scrapyard-agent register` trading them for a node credential (and refusing wrong, reused and expired keys),
 * what is stored where (credential file 0600 without the enrollment secret; the master keeps no node secret), a
 * replayed handshake refused, and `node list` describing the connected agents. Without credentials: every
 * state-changing REST call needs the admin token of `<data_dir>/admin-token`, from any address.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { enroll, gatewayUrl, runCli, startAgent, type Enrollment } from '../helpers/agents.js';
import { listNodes, nodeInfo, startCluster, type NodeInfoBody } from '../helpers/cluster.js';
import { RestClient, request } from '../helpers/http.js';
import { EMPTY_POLICY } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { PYTHON } from '../helpers/python.js';
import { helloFrame, identifyFrame, rawHandshake, rawSession, type RawAnswer } from '../helpers/raw-agent.js';
import { queryMaster } from '../helpers/master-db.js';

const AUTH = { username: 'admin', password: 'adm1n-pass' };

function agentConfig(dir: string, masterUrl: string): string {
  const file = join(dir, 'agent.json');
  writeFileSync(
    file,
    JSON.stringify({ masterUrl: gatewayUrl(masterUrl), dataDir: join(dir, 'data'), slots: 1, python: PYTHON }),
  );
  return file;
}

function nodesOf(json: string): NodeInfoBody[] {
  const parsed = JSON.parse(json) as NodeInfoBody[] | { nodes: NodeInfoBody[] };
  return Array.isArray(parsed) ? parsed : parsed.nodes;
}

void test(
  'enroll (CLI and REST), register, credential storage, replay refused, node list',
  { timeout: 240_000 },
  async (t) => {
    const { master, url } = await startCluster(t, { auth: AUTH });
    // Created first so it has expired (ttl 10 s, the schema's minimum) by the time the test tries it.
    const expiring = await enroll(url, { ttlSeconds: 10 }, { auth: AUTH });
    const expiringAt = Date.now() + 10_000;

    // The REST API wants the master's credentials.
    const anon = await request(`${url}/api/v1/nodes/enrollments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(anon.status, 401);
    const tooShort = await request(`${url}/api/v1/nodes/enrollments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 5 }),
      auth: AUTH,
    });
    assert.equal(tooShort.status, 400, `ttl below the minimum is refused: ${tooShort.text}`);
    assert.equal((tooShort.json.error as { code: string }).code, 'BAD_REQUEST');

    // The CLI: credentials from --config, URL from --url.
    const adminDir = tempDir(t);
    const masterConf = join(adminDir, 'scrapyd.conf');
    writeFileSync(masterConf, `[scrapyd]\nusername = ${AUTH.username}\npassword = ${AUTH.password}\n`);
    const admin = (...args: string[]) => runCli('master', ['node', ...args, '--config', masterConf, '--url', url]);
    const cli = await admin('enroll', '--node-id', 'cli-node', '--ttl', '600', '--json');
    assert.equal(cli.code, 0, cli.all);
    const cliEnrollment = JSON.parse(cli.stdout) as Enrollment;
    assert.match(cliEnrollment.token, /^enr_[0-9a-f]{24}\.[0-9a-f]{64}$/);
    assert.equal(cliEnrollment.token, `${cliEnrollment.key}.${cliEnrollment.secret}`);
    assert.equal(cliEnrollment.nodeId, 'cli-node');
    assert.ok(Math.abs(cliEnrollment.expiresAt - (Date.now() + 600_000)) < 60_000, 'ttl honoured');
    const plain = await admin('enroll');
    assert.equal(plain.code, 0, plain.all);
    assert.match(plain.stdout, /enr_[0-9a-f]{24}\.[0-9a-f]{64}/, 'without --json the token is printed');
    // Neither credentials nor the master's data dir (whose admin token would do): refused, and told why.
    const noAuth = await runCli('master', ['node', 'enroll', '--url', url, '--json', '--data-dir', tempDir(t)], {
      adminToken: false,
    });
    assert.notEqual(noAuth.code, 0, 'the CLI without credentials is refused by the master');
    assert.match(noAuth.stderr, /UNAUTHORIZED.*no admin token/s);

    // Register with the CLI's key (its node id wins over --node-id) and with a REST key.
    const viaCli = await startAgent(t, {
      master: { url },
      token: cliEnrollment.token,
      nodeId: 'cli-node',
      tags: ['eu', 'ssd'],
      slots: 3,
    });
    assert.equal(viaCli.nodeId, 'cli-node');
    const viaRest = await startAgent(t, { master: { url }, auth: AUTH, nodeId: 'rest-node', tags: ['us'], slots: 1 });
    assert.equal(viaRest.nodeId, 'rest-node');

    // The credential file: 0600, the node secret, nothing of the enrollment.
    const credText = readFileSync(viaCli.credentialFile, 'utf8');
    assert.equal(statSync(viaCli.credentialFile).mode & 0o777, 0o600);
    const cred = JSON.parse(credText) as { nodeId: string; secret: string; master?: string; issuedAt?: number };
    assert.equal(cred.nodeId, 'cli-node');
    assert.match(cred.secret, /^[0-9a-f]{64}$/);
    assert.ok(!credText.includes(cliEnrollment.secret), 'no enrollment secret in the credential file');
    assert.ok(!credText.includes(cliEnrollment.key), 'no enrollment key in the credential file');
    assert.notEqual(cred.secret, cliEnrollment.secret);
    const restCred = JSON.parse(readFileSync(viaRest.credentialFile, 'utf8')) as { secret: string };
    assert.equal(statSync(viaRest.credentialFile).mode & 0o777, 0o600);

    // register refuses bad tokens, writes nothing, and says why.
    const badDir = tempDir(t);
    const badConfig = agentConfig(badDir, url);
    const register = (token: string) => runCli('agent', ['register', '--config', badConfig, '--token', token]);
    const fresh = await enroll(url, {}, { auth: AUTH });
    const wrongSecret = await register(`${fresh.key}.${'0'.repeat(64)}`);
    assert.notEqual(wrongSecret.code, 0);
    assert.match(wrongSecret.all, /ENROLLMENT_INVALID/);
    const unknownKey = await register(`enr_${'a'.repeat(24)}.${fresh.secret}`);
    assert.notEqual(unknownKey.code, 0);
    assert.match(unknownKey.all, /ENROLLMENT_INVALID/);
    const reused = await register(cliEnrollment.token);
    assert.notEqual(reused.code, 0);
    assert.match(reused.all, /ENROLLMENT_USED/);
    const wait = expiringAt + 1_000 - Date.now();
    if (wait > 0) await sleep(wait);
    const expired = await register(expiring.token);
    assert.notEqual(expired.code, 0);
    assert.match(expired.all, /ENROLLMENT_EXPIRED/);
    assert.ok(!existsSync(join(badDir, 'data', 'node-credential.json')), 'no credential written on failure');
    // The same endpoint, raw: the statuses of the contract.
    const raw = async (key: string, secret: string) =>
      request(`${url}/agent/v1/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enrollKey: key, enrollSecret: secret, nodeId: 'raw-node', hostname: 'h' }),
      });
    assert.equal((await raw(fresh.key, 'f'.repeat(64))).status, 401);
    assert.equal((await raw(expiring.key, expiring.secret)).status, 410);
    assert.equal((await raw(cliEnrollment.key, cliEnrollment.secret)).status, 409);
    // A wrong guess does not burn the key: the right secret still works once.
    const ok = await raw(fresh.key, fresh.secret);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.nodeId, 'raw-node');
    const rawSecret = String(ok.json.secret);
    assert.match(rawSecret, /^[0-9a-f]{64}$/);
    // Another live node's id is not handed out twice.
    const dup = await enroll(url, {}, { auth: AUTH });
    const taken = await request(`${url}/agent/v1/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollKey: dup.key, enrollSecret: dup.secret, nodeId: 'rest-node', hostname: 'h' }),
    });
    assert.equal(taken.status, 409, taken.text);
    assert.equal((taken.json.error as { code: string }).code, 'NODE_EXISTS');

    // The master's database holds no node secret and no enrollment secret in the clear.
    const dump = JSON.stringify([
      ...(await queryMaster(master.dataDir, 'SELECT * FROM nodes')),
      ...(await queryMaster(master.dataDir, 'SELECT * FROM enrollments')),
    ]);
    for (const [what, secret] of Object.entries({
      'cli-node secret': cred.secret,
      'rest-node secret': restCred.secret,
      'raw-node secret': rawSecret,
      'enrollment secret': cliEnrollment.secret,
      'unused enrollment secret': dup.secret,
    })) {
      assert.ok(!dump.includes(secret), `${what} is not stored in plain text`);
    }
    const nodeRows = await queryMaster(master.dataDir, 'SELECT node_id FROM nodes ORDER BY node_id');
    assert.deepEqual(
      nodeRows.map((r) => r.node_id),
      ['cli-node', 'raw-node', 'rest-node'],
    );

    // A captured handshake is useless on another connection (the proof binds both sides' nonces).
    const ws = gatewayUrl(url);
    const secret = Buffer.from(rawSecret, 'hex');
    const clientNonce = randomBytes(32).toString('hex');
    let captured: RawAnswer;
    const first = await rawSession(ws, {
      onChallenge: () => identifyFrame('raw-node', clientNonce),
      onProof: (_proofs, serverNonce) =>
        (captured = helloFrame({
          secret,
          nodeId: 'raw-node',
          serverNonce,
          clientNonce,
          over: { hostname: 'replay-test' },
        })),
    });
    assert.equal(
      first.verdict,
      'welcome',
      `a proof made with the node's secret is accepted: ${JSON.stringify(first.frames)}`,
    );
    // The same identify (same client nonce) and the captured hello, on a new connection with a new server nonce.
    const replay = await rawSession(ws, {
      onChallenge: () => identifyFrame('raw-node', clientNonce),
      onProof: () => captured,
    });
    assert.equal(replay.verdict, 'BAD_CREDENTIALS');
    // And a proof made with the hex of the secret read as text (a buggy agent) is refused too.
    const wrongKey = await rawHandshake(ws, { nodeId: 'raw-node', secret: Buffer.from(rawSecret) });
    assert.equal(wrongKey.verdict, 'BAD_CREDENTIALS');

    // node list (CLI, JSON and text) and the REST view describe the connected agents.
    const before = Date.now();
    const listed = await admin('list', '--json');
    assert.equal(listed.code, 0, listed.all);
    const nodes = nodesOf(listed.stdout);
    const cliNode = nodes.find((n) => n.nodeId === 'cli-node');
    const restNode = nodes.find((n) => n.nodeId === 'rest-node');
    assert.ok(cliNode && restNode, `both agents listed: ${listed.stdout}`);
    assert.deepEqual(
      {
        online: cliNode.online,
        kind: cliNode.kind,
        tags: [...cliNode.tags].sort(),
        slots: cliNode.slots,
        hostname: cliNode.hostname,
        revoked: cliNode.revoked,
        cordoned: cliNode.cordoned,
      },
      {
        online: true,
        kind: 'permanent',
        tags: ['eu', 'ssd'],
        slots: 3,
        hostname: hostname(),
        revoked: false,
        cordoned: false,
      },
    );
    assert.deepEqual(
      { online: restNode.online, tags: restNode.tags, slots: restNode.slots },
      { online: true, tags: ['us'], slots: 1 },
    );
    assert.match(String(cliNode.agentVersion), /^\d+\.\d+\.\d+/);
    assert.ok(cliNode.lastSeen !== null && before - cliNode.lastSeen < 30_000, 'lastSeen is recent');
    const rawNode = nodes.find((n) => n.nodeId === 'raw-node');
    assert.equal(rawNode?.online, false, 'a registered node that is not connected is listed offline');
    const text = await admin('list');
    assert.equal(text.code, 0, text.all);
    for (const id of ['cli-node', 'rest-node', 'raw-node']) assert.match(text.stdout, new RegExp(id));
    const rest = new RestClient(url, { auth: AUTH });
    const info = await nodeInfo(rest, 'cli-node');
    assert.equal(info.online, true);
    assert.equal(info.hostname, hostname());
    assert.equal((await listNodes(rest)).length, 3);
    assert.equal((await rest.call('GET', '/api/v1/nodes/no-such-node')).status, 404);
  },
);

void test(
  'without credentials, every state-changing REST call needs the admin token, even from the master host',
  { timeout: 120_000 },
  async (t) => {
    // Bound to loopback and called from it: the old rule ("the master host may administer") let all of this in.
    const { master, url } = await startCluster(t);
    const tokenFile = join(master.dataDir, 'admin-token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600, "only the master's user can read the token");
    const token = readFileSync(tokenFile, 'utf8').trim();
    assert.match(token, /^adm_[0-9a-f]{64}$/);
    assert.ok(!master.output().includes(token), 'the token is never logged');

    const json = { 'content-type': 'application/json' };
    const calls: [string, string, string | undefined][] = [
      ['POST', '/api/v1/nodes/enrollments', '{}'],
      ['PUT', '/api/v1/projects/demo/policy', JSON.stringify({ tags: ['x'] })],
      ['PUT', '/api/v1/projects/demo/spiders/quick/policy', JSON.stringify({ maxRunning: 1 })],
      ...['revoke', 'rotate', 'cordon', 'uncordon'].map((a): [string, string, string | undefined] => [
        'POST',
        `/api/v1/nodes/any/${a}`,
        undefined,
      ]),
      // Routes that don't exist (yet) are guarded too: the rule is by method, not by a list of routes.
      ['POST', '/api/v1/no-such-route', '{}'],
      ['DELETE', '/api/v1/jobs/some-job', undefined],
      ['PATCH', '/api/v1/nodes/any', '{}'],
    ];
    const refusals: [string, Record<string, string>][] = [
      ['no credentials', {}],
      ['a wrong admin token', { authorization: `Bearer adm_${'0'.repeat(64)}` }],
      [
        'the token with one character changed',
        { authorization: `Bearer ${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}` },
      ],
      ['a session-token-shaped bearer', { authorization: `Bearer ${'a'.repeat(64)}` }],
      ['basic auth (none is configured)', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
      // What a page in a browser (or a DNS-rebinding page that reaches 127.0.0.1) can send.
      ['a browser page', { origin: 'http://evil.example', host: 'evil.example', cookie: 'session=1' }],
    ];
    for (const [method, path, body] of calls) {
      for (const [who, headers] of refusals) {
        const r = await request(`${url}${path}`, {
          method,
          headers: { ...(body === undefined ? {} : json), ...headers },
          body,
        });
        assert.equal(r.status, 401, `${method} ${path} with ${who}: ${r.text}`);
        assert.equal((r.json.error as { code: string }).code, 'UNAUTHORIZED', `${method} ${path} with ${who}`);
        assert.match(String((r.json.error as { message: string }).message), /admin token/);
        assert.match(r.headers.get('www-authenticate') ?? '', /Bearer/);
      }
    }
    // Nothing changed: no enrollment was created, no policy stored.
    assert.deepEqual(await queryMaster(master.dataDir, 'SELECT COUNT(*) AS n FROM enrollments'), [{ n: 0 }]);
    const anon = new RestClient(url, { adminToken: null });
    assert.deepEqual(await anon.get('/api/v1/projects/demo/policy'), EMPTY_POLICY);
    // Reads stay open, like the Scrapyd API.
    assert.deepEqual(await anon.get('/api/v1/nodes'), { nodes: [] });
    assert.equal((await request(`${url}/daemonstatus.json`)).status, 200);

    // The token opens them.
    const admin = new RestClient(url, { adminToken: token });
    const created = await admin.call('POST', '/api/v1/nodes/enrollments', {});
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(await admin.ok('PUT', '/api/v1/projects/demo/policy?allow_unknown_project=1', { tags: ['x'] }), {
      ...EMPTY_POLICY,
      tags: ['x'],
    });
    assert.equal((await admin.call('POST', '/api/v1/nodes/ghost/cordon')).status, 404, 'past the guard: no node');
    // As does the CLI on the master host, which reads it from the master's data dir.
    const cli = await runCli('master', ['node', 'enroll', '--json', '--url', url, '--data-dir', master.dataDir], {
      adminToken: false,
    });
    assert.equal(cli.code, 0, cli.all);
    assert.match((JSON.parse(cli.stdout) as Enrollment).token, /^enr_/);
    assert.deepEqual(await queryMaster(master.dataDir, 'SELECT COUNT(*) AS n FROM enrollments'), [{ n: 2 }]);
  },
);

void test('the admin token file: kept across restarts, replaced when missing or readable by others', async (t) => {
  const dataDir = tempDir(t);
  const args = ['--no-local-agent'];
  const tokenOf = () => readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const first = await startMaster(t, { dataDir, args });
  const token = tokenOf();
  await first.assertCleanStop();
  await (await startMaster(t, { dataDir, args })).assertCleanStop();
  assert.equal(tokenOf(), token, 'a restart keeps the token (scripts that read it keep working)');

  // Loosened permissions: the token may have leaked, so the next start writes a new one, 0600 again.
  chmodSync(join(dataDir, 'admin-token'), 0o644);
  const loosened = await startMaster(t, { dataDir, args });
  const replaced = tokenOf();
  assert.notEqual(replaced, token);
  assert.equal(statSync(join(dataDir, 'admin-token')).mode & 0o777, 0o600);
  assert.match(loosened.output(), /admin token: wrote a new token file/);
  // The old token no longer administers; the new one does.
  const old = await request(`${loosened.url}/api/v1/nodes/enrollments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  assert.equal(old.status, 401);
  assert.equal((await new RestClient(loosened.url).call('POST', '/api/v1/nodes/enrollments', {})).status, 201);
  await loosened.assertCleanStop();

  // Deleted: a new one at the next start.
  rmSync(join(dataDir, 'admin-token'));
  await startMaster(t, { dataDir, args });
  assert.match(tokenOf(), /^adm_[0-9a-f]{64}$/);
  assert.notEqual(tokenOf(), replaced);
});
