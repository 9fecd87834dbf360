/**
 * Bad input to the cluster surfaces (REST API, agent registration, `_tags`, the agent CLI) gets a clear error
 * with a stable code and changes nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { EMPTY_POLICY } from '../helpers/jobs.js';
import { adminTokenFor } from '../helpers/processes.js';
import { queryMaster } from '../helpers/master-db.js';

interface ErrorJson {
  error?: { code?: string; message?: string };
}

void test(
  'bad REST, registration and schedule input answers 4xx JSON and changes nothing',
  { timeout: 120_000 },
  async (t) => {
    const { master, url, api, rest } = await startCluster(t);
    const expectError = async (
      r: Promise<{ status: number; json: Record<string, unknown>; text: string }>,
      status: number,
      code: string,
      message?: RegExp,
    ) => {
      const res = await r;
      assert.equal(res.status, status, res.text);
      const e = (res.json as ErrorJson).error;
      assert.equal(e?.code, code, res.text);
      assert.ok(e?.message && e.message.length > 0, 'the error says what is wrong');
      if (message) assert.match(e.message, message);
    };
    // As an admin (the master's token), so what is refused is the input, not the caller.
    const admin = { authorization: `Bearer ${adminTokenFor(url)}` };
    const raw = async (method: string, path: string, body: string, type = 'application/json') => {
      const r = await fetch(`${url}${path}`, { method, body, headers: { 'content-type': type, ...admin } });
      const text = await r.text();
      return { status: r.status, text, json: JSON.parse(text) as Record<string, unknown> };
    };

    // Enrollment: malformed JSON, unknown keys, out-of-range ttl, bad node id.
    await expectError(raw('POST', '/api/v1/nodes/enrollments', '{"ttlSeconds":'), 400, 'BAD_REQUEST');
    await expectError(rest.call('POST', '/api/v1/nodes/enrollments', { ttl: 60 }), 400, 'BAD_REQUEST', /ttl/);
    await expectError(rest.call('POST', '/api/v1/nodes/enrollments', { nodeId: '../x' }), 400, 'BAD_REQUEST', /nodeId/);
    await expectError(rest.call('POST', '/api/v1/nodes/enrollments', { ttlSeconds: 10 ** 9 }), 400, 'BAD_REQUEST');

    // Nodes: a path that is not a node id, unknown nodes for every action.
    await expectError(rest.call('GET', '/api/v1/nodes/-bad'), 400, 'BAD_REQUEST', /path\.id/);
    await expectError(rest.call('GET', '/api/v1/nodes/ghost'), 404, 'NOT_FOUND', /ghost/);
    for (const action of ['revoke', 'rotate', 'cordon', 'uncordon']) {
      await expectError(rest.call('POST', `/api/v1/nodes/ghost/${action}`), 404, 'NOT_FOUND');
    }
    await expectError(rest.call('GET', '/api/v1/nodes/ghost/metrics?limit=0'), 404, 'NOT_FOUND');
    assert.deepEqual((await rest.get('/api/v1/nodes')).nodes, [], 'no node appeared');

    // Jobs: bad filters, unknown ids, bad tail parameters.
    await expectError(rest.call('GET', '/api/v1/jobs?state=bogus'), 400, 'BAD_REQUEST', /state/);
    await expectError(rest.call('GET', '/api/v1/jobs/nojob'), 404, 'NOT_FOUND', /nojob/);
    await expectError(rest.call('GET', '/api/v1/jobs/nojob/metrics'), 404, 'NOT_FOUND');
    await expectError(rest.call('GET', '/api/v1/jobs/x/log/stream?stream=bogus'), 400, 'BAD_REQUEST');
    await expectError(rest.call('GET', '/api/v1/nowhere'), 404, 'NOT_FOUND');

    // Policies: bad tags, bad caps, unknown keys, bad names; the stored policy stays as it was.
    await rest.ok('PUT', '/api/v1/projects/demo/policy?allow_unknown_project=1', { tags: ['eu'], maxRunning: 2 });
    for (const body of [{ tags: ['bad tag'] }, { maxRunning: 'x' }, { retries: -1 }, { colour: 'red' }]) {
      await expectError(rest.call('PUT', '/api/v1/projects/demo/policy', body), 400, 'BAD_REQUEST');
    }
    await expectError(
      raw('PUT', '/api/v1/projects/demo/policy', 'tags=eu', 'text/plain'),
      400,
      'BAD_REQUEST',
      /expected object/,
    );
    await expectError(rest.call('PUT', '/api/v1/projects/demo/spiders/-x/policy', {}), 400, 'BAD_REQUEST');
    // A body over body_limit_bytes (1 MiB) is refused whole, before it is parsed.
    const huge = JSON.stringify({ tags: ['eu'], padding: 'x'.repeat(2 * 1024 * 1024) });
    await expectError(
      raw('PUT', '/api/v1/projects/demo/policy', huge),
      413,
      'PAYLOAD_TOO_LARGE',
      /at most 1048576 bytes/,
    );
    await expectError(raw('POST', '/api/v1/nodes/enrollments', huge), 413, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(await queryMaster(master.dataDir, 'SELECT COUNT(*) AS n FROM enrollments'), [{ n: 0 }]);
    assert.deepEqual(await rest.get('/api/v1/projects/demo/policy'), { ...EMPTY_POLICY, tags: ['eu'], maxRunning: 2 });

    // Registration: malformed bodies and an unknown key are refused before anything is created.
    await expectError(raw('POST', '/agent/v1/register', 'not json'), 400, 'BAD_REQUEST');
    await expectError(
      rest.call('POST', '/agent/v1/register', { enrollKey: 'x', enrollSecret: 'y' }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      rest.call('POST', '/agent/v1/register', {
        enrollKey: `enr_${'0'.repeat(24)}`,
        enrollSecret: '0'.repeat(64),
        hostname: 'h',
      }),
      401,
      'ENROLLMENT_INVALID',
    );
    assert.deepEqual((await rest.get('/api/v1/nodes')).nodes, [], 'no node was registered');

    // schedule.json: an invalid `_tags` is a Scrapyd error and queues nothing.
    const bad = await api.post('schedule.json', { project: 'demo', spider: 'quick', _tags: 'eu,bad tag!' });
    assert.equal(bad.status, 'error');
    assert.match(String(bad.message), /_tags is invalid: 'tag!'/);
    assert.equal((await api.get('daemonstatus.json')).pending, 0);

    // The agent CLI: a malformed token is refused without contacting the master or writing a credential.
    const dir = mkdtempSync(join(tmpdir(), 'bad-agent-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'agent.json');
    writeFileSync(config, JSON.stringify({ masterUrl: url.replace('http', 'ws'), dataDir: join(dir, 'data') }));
    const r = await runCli('agent', ['register', '--config', config, '--token', 'not-a-token']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--token must be the enrollment token/);
    assert.equal(existsSync(join(dir, 'data', 'node-credential.json')), false);
  },
);
