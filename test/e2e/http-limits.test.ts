/**
 * Bounded input on the master's HTTP surfaces: callers are refused before their body is read; only
 * addversion.json takes large bodies; oversized names are refused before any lookup, so made-up names can't grow
 * the master's memory; live tails are capped.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { buildEgg } from '../helpers/eggs.js';
import { startCluster } from '../helpers/cluster.js';
import { RestClient } from '../helpers/http.js';
import { deploy, schedule } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const AUTH = { username: 'admin', password: 'limits-secret' };

/** GETs `url` on a connection used for nothing else; resolves with the status. */
function statusOnOwnConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Declares a body of `declared` bytes, sends only `sent` of them, and resolves with the answer. A server that
 * waits for the whole body before deciding never answers: that fails after `timeoutMs`.
 */
function answerBeforeBody(
  url: string,
  o: { method: string; headers: Record<string, string>; declared: number; sent: number; timeoutMs?: number },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: o.method,
      headers: { ...o.headers, 'content-length': String(o.declared) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer after ${o.sent} of ${o.declared} bytes: the server waits for the whole body`));
    }, o.timeoutMs ?? 10_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.write(Buffer.alloc(o.sent, 0x61));
  });
}

/** Resident memory of a process, from /proc. */
function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmRSS in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

void test('credentials are checked before the body is read, on every surface', async (t) => {
  const { url } = await startCluster(t, { auth: AUTH });
  // An egg upload of 100 MB without credentials: the 401 comes after the first megabyte.
  const upload = await answerBeforeBody(`${url}/addversion.json`, {
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    declared: 100 * 1024 * 1024,
    sent: 1024 * 1024,
  });
  assert.equal(upload.status, 401);
  assert.equal(upload.text, 'Unauthorized');
  // REST administration: refused before its (in-limit) body arrives.
  const bad = `Basic ${Buffer.from('admin:wrong').toString('base64')}`;
  for (const [method, path] of [
    ['POST', '/api/v1/nodes/enrollments'],
    ['PUT', '/api/v1/projects/demo/policy'],
  ] as const) {
    const r = await answerBeforeBody(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: bad },
      declared: 512 * 1024,
      sent: 1024,
    });
    assert.equal(r.status, 401, `${method} ${path}: ${r.text}`);
    assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  }
  // Without credentials configured, the same holds for a caller without the admin token.
  const open = await startCluster(t);
  const r = await answerBeforeBody(`${open.url}/api/v1/nodes/enrollments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    declared: 512 * 1024,
    sent: 1024,
  });
  assert.equal(r.status, 401, r.text);
});

void test('only addversion.json takes large bodies; a Scrapyd endpoint answers a too-large one in its envelope', async (t) => {
  const master = await startMaster(t);
  const api = new ScrapydClient(master.url);
  const big = 'x'.repeat(2 * 1024 * 1024);
  const refused = await api.post('schedule.json', { project: 'demo', spider: 'quick', pad: big });
  assert.equal(refused.status, 'error');
  assert.equal(refused.message, 'PayloadTooLarge: request body exceeds the limit of 1048576 bytes (body_limit_bytes)');
  assert.equal((await api.get('daemonstatus.json')).pending, 0, 'nothing was scheduled');
  // addversion.json's limit is upload_limit_bytes (200 MiB): a 2 MiB body is read and the upload works.
  const fd = new FormData();
  fd.append('project', 'demo');
  fd.append('version', '1');
  fd.append('pad', big);
  fd.append('egg', new Blob([await buildEgg('demo')]), 'demo.egg');
  const uploaded = (await api.raw('POST', '/addversion.json', { body: fd })).json;
  assert.equal(uploaded.status, 'ok', JSON.stringify(uploaded));
  // And with the default limit the same schedule without padding works.
  ScrapydClient.ok(await api.post('schedule.json', { project: 'demo', spider: 'quick' }));
});

void test(
  'oversized names are refused before any lookup and do not grow the master',
  { timeout: 180_000 },
  async (t) => {
    const { master, api, url } = await startCluster(t);
    // Names under the body limit but far over the longest valid name (200 characters).
    const name = (i: number) => `${String(i).padStart(6, '0')}${'p'.repeat(900 * 1024)}`;
    const settle = async () => {
      for (let i = 0; i < 3; i++) await api.get('daemonstatus.json');
      return rssBytes(master.proc.pid!);
    };
    const before = await settle();
    const answers = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const r = await api.post('cancel.json', { project: name(i), job: 'j' });
      answers.add(`${String(r.status)}: ${String(r.message).slice(0, 80)}`);
    }
    const after = await settle();
    // 300 distinct names of 900 KiB are 270 MB: kept anywhere, they would show.
    assert.ok(after - before < 100 * 1024 * 1024, `RSS grew by ${Math.round((after - before) / 1048576)} MB`);
    assert.deepEqual(
      [...answers],
      ['error: project is invalid: longer than 200 characters'],
      'refused, name not echoed',
    );
    // A 2 MB name doesn't even fit a body.
    const twoMb = await api.post('cancel.json', { project: 'q'.repeat(2 * 1024 * 1024), job: 'j' });
    assert.match(String(twoMb.message), /^PayloadTooLarge: .*\(body_limit_bytes\)$/);
    // Nor a URL: past Node's 16 KiB header limit the answer is 431. The URL stays small enough to reach the
    // master in one read (a multi-megabyte one races the 431 against the server's reset of a half-sent request),
    // on a connection of its own: the server closes it after the 431, and a pooled one could be reused meanwhile.
    assert.equal(await statusOnOwnConnection(`${url}/listversions.json?project=${'q'.repeat(20 * 1024)}`), 431);
    assert.equal((await api.get('daemonstatus.json')).status, 'ok', 'the master is unharmed');
    // Each named parameter is checked, on GET endpoints too.
    const long = 'n'.repeat(201);
    for (const [endpoint, form] of [
      ['listversions.json', { project: long }],
      ['listspiders.json', { project: 'demo', _version: long }],
      ['listjobs.json', { project: long }],
      ['status.json', { job: long }],
    ] as const) {
      const r = await api.get(endpoint, form);
      assert.equal(r.status, 'error', endpoint);
      assert.match(String(r.message), /is invalid: longer than 200 characters$/, endpoint);
    }
    const forms: Record<string, string>[] = [
      { project: long, spider: 'quick' },
      { project: 'demo', spider: long },
      { project: 'demo', spider: 'quick', jobid: long },
    ];
    for (const form of forms) {
      const r = await api.post('schedule.json', form);
      assert.match(String(r.message), /is invalid: longer than 200 characters$/);
    }
    // The REST API checks its names with the same bound (zod, before any lookup).
    const rest = new RestClient(url);
    const r = await rest.call('GET', `/api/v1/jobs?project=${long}`);
    assert.equal(r.status, 400);
    assert.equal((r.json.error as { code: string }).code, 'BAD_REQUEST');
    assert.ok(!r.text.includes(long), 'the name is not echoed');
  },
);

void test('live tails are capped (max_live_tails): past the cap 503 OVERLOADED, a freed slot is reused', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_LIVE_TAILS: '2' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  await deploy(api);
  // The only agent is cordoned: the job stays pending, so its tail stays open.
  await rest.ok('POST', '/api/v1/nodes/local/cordon');
  const job = await schedule(api, { project: 'demo', spider: 'quick' });
  const path = `/api/v1/jobs/${job}/log/stream?project=demo`;
  const first = await rest.stream(path);
  const second = await rest.stream(path);
  assert.deepEqual([first.statusCode, second.statusCode], [200, 200]);
  const over = await rest.stream(path);
  assert.equal(over.statusCode, 503, 'a third tail is refused');
  assert.equal(over.headers['retry-after'], '5');
  const chunks: Buffer[] = [];
  for await (const c of over) chunks.push(c as Buffer);
  const error = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error: { code: string; message: string } })
    .error;
  assert.equal(error.code, 'OVERLOADED');
  assert.match(error.message, /max_live_tails = 2/);
  first.destroy();
  const third = await waitFor(
    async () => {
      const s = await rest.stream(path);
      if (s.statusCode === 200) return s;
      s.destroy();
      return undefined;
    },
    { what: 'a closed tail to free its slot' },
  );
  second.destroy();
  third.destroy();
});
