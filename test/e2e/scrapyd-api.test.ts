/**
 * The Scrapyd contract endpoint by endpoint (docs/scrapyd-api.md §1.4 errors and the §8 checklist),
 * against a real master with its embedded agent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { request } from '../helpers/http.js';
import { buildEgg } from '../helpers/eggs.js';
import { DEMO_SPIDERS, deploy, listJobs, schedule, waitRunning } from '../helpers/jobs.js';
import { startMaster } from '../helpers/processes.js';
import { PYTHON } from '../helpers/python.js';

/** A zip with an entry that climbs out of its directory, built by Python's zipfile (it writes such names as given). */
function traversalZip(): Buffer {
  const out = spawnSync(PYTHON, [
    '-c',
    [
      'import io, sys, zipfile',
      'b = io.BytesIO()',
      'z = zipfile.ZipFile(b, "w")',
      'z.writestr("EGG-INFO/entry_points.txt", "[scrapy]\\nsettings = demo.settings\\n")',
      'z.writestr("../evil.py", "print(1)")',
      'z.close()',
      'sys.stdout.buffer.write(b.getvalue())',
    ].join('\n'),
  ]);
  assert.equal(out.status, 0, String(out.stderr));
  return out.stdout;
}

const GET_ENDPOINTS = ['daemonstatus', 'listprojects', 'listversions', 'listspiders', 'listjobs', 'status'];
const POST_ENDPOINTS = ['addversion', 'schedule', 'cancel', 'delversion', 'delproject'];

void test('Scrapyd API conformance', (t) => conformance(t, false));

/**
 * The same contract with auth on (the config's pair closes the master), the client signing in as scrapyd-deploy,
 * python-scrapyd-api and ScrapydWeb do: basic auth, here with an API token as the password.
 */
void test('Scrapyd API conformance with auth on, an API token as the basic-auth password', (t) => conformance(t, true));

async function conformance(t: TestContext, authOn: boolean): Promise<void> {
  const pair = { username: 'admin', password: 'conformance-pair-secret' };
  const master = await startMaster(t, {
    env: {
      SCRAPYARD_MAX_PROC: '1',
      SCRAPYARD_UPLOAD_LIMIT_BYTES: String(2 * 1024 * 1024),
      ...(authOn ? { SCRAPYD_USERNAME: pair.username, SCRAPYD_PASSWORD: pair.password } : {}),
    },
  });
  let auth: { username: string; password: string } | undefined;
  if (authOn) {
    const created = await request(`${master.url}/api/v1/tokens`, {
      method: 'POST',
      auth: pair,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'conformance', role: 'maintainer' }),
    });
    assert.equal(created.status, 201, created.text);
    auth = { username: 'scrapyd-deploy', password: (created.json as { secret: string }).secret };
    const stranger = await new ScrapydClient(master.url).raw('GET', '/daemonstatus.json');
    assert.equal(stranger.status, 401, "without the token: Scrapyd's 401");
  }
  const api = new ScrapydClient(master.url, auth);
  const egg = await buildEgg('demo');

  await t.test('envelope: trailing newline, python separators, CORS headers, HTTP 200 errors', async () => {
    const ok = await api.raw('GET', '/daemonstatus.json');
    assert.equal(ok.status, 200);
    assert.ok(ok.text.endsWith('}\n'));
    assert.match(
      ok.text,
      /^\{"pending": 0, "running": 0, "finished": 0, "status": "ok", "node_name": "test-node"\}\n$/,
    );
    assert.equal(ok.headers.get('content-type'), 'application/json');
    assert.equal(ok.headers.get('access-control-allow-origin'), '*');
    assert.equal(ok.headers.get('access-control-allow-methods'), 'OPTIONS, HEAD, GET');
    assert.equal(ok.headers.get('access-control-allow-headers'), 'X-Requested-With');
    const err = await api.raw('POST', '/schedule.json');
    assert.equal(err.status, 200);
    assert.deepEqual(err.json, { status: 'error', message: "'project' parameter is required", node_name: 'test-node' });
    assert.equal(err.headers.get('access-control-allow-methods'), 'OPTIONS, HEAD, POST');
  });

  await t.test(
    'OPTIONS → 204 with Allow; wrong method → UnsupportedMethod; unknown path and trailing slash → 404',
    async () => {
      for (const e of GET_ENDPOINTS) {
        const r = await api.raw('OPTIONS', `/${e}.json`);
        assert.equal(r.status, 204, e);
        assert.equal(r.headers.get('allow'), 'OPTIONS, HEAD, GET', e);
      }
      for (const e of POST_ENDPOINTS) {
        const r = await api.raw('OPTIONS', `/${e}.json`);
        assert.equal(r.status, 204, e);
        assert.equal(r.headers.get('allow'), 'OPTIONS, HEAD, POST', e);
        const wrong = await api.raw('GET', `/${e}.json`);
        assert.equal(wrong.status, 200);
        assert.match(String(wrong.json.message), /^UnsupportedMethod: Expected one of/);
      }
      assert.match(String((await api.post('daemonstatus.json')).message), /^UnsupportedMethod/);
      const head = await api.raw('HEAD', '/daemonstatus.json');
      assert.equal(head.status, 200);
      assert.equal(head.text, '');
      const headPost = await api.raw('HEAD', '/schedule.json');
      assert.equal(headPost.status, 200, 'HEAD on a POST endpoint is an application error, body stripped');
      assert.equal(headPost.text, '');
      assert.equal((await api.raw('GET', '/nope.json')).status, 404);
      assert.equal((await api.raw('GET', '/daemonstatus.json/')).status, 404);
    },
  );

  await t.test('missing parameters are reported in order', async () => {
    const cases: [string, 'GET' | 'POST', Record<string, string>, string][] = [
      ['addversion.json', 'POST', {}, "'project' parameter is required"],
      ['addversion.json', 'POST', { project: 'p' }, "'version' parameter is required"],
      ['addversion.json', 'POST', { project: 'p', version: '1' }, "'egg' parameter is required"],
      ['schedule.json', 'POST', { project: 'p' }, "'spider' parameter is required"],
      ['cancel.json', 'POST', {}, "'project' parameter is required"],
      ['cancel.json', 'POST', { project: 'p' }, "'job' parameter is required"],
      ['delversion.json', 'POST', { project: 'p' }, "'version' parameter is required"],
      ['delproject.json', 'POST', {}, "'project' parameter is required"],
      ['listversions.json', 'GET', {}, "'project' parameter is required"],
      ['listspiders.json', 'GET', {}, "'project' parameter is required"],
      ['status.json', 'GET', {}, "'job' parameter is required"],
    ];
    for (const [endpoint, method, form, message] of cases) {
      const body = method === 'GET' ? await api.get(endpoint, form) : await api.post(endpoint, form);
      assert.deepEqual({ status: body.status, message: body.message }, { status: 'error', message }, endpoint);
    }
  });

  await t.test(
    'addversion: egg as multipart file, multipart field and urlencoded bytes; non-zip and traversal refused',
    async () => {
      const fd = new FormData();
      fd.append('project', 'demo');
      fd.append('version', '0.1');
      fd.append('egg', new Blob([egg]));
      assert.equal(
        ScrapydClient.ok((await api.raw('POST', '/addversion.json', { body: fd })).json).spiders,
        DEMO_SPIDERS.length,
      );
      // ScrapydWeb: the raw egg bytes percent-encoded in an urlencoded body.
      const body = `project=demo&version=0.2&egg=${[...egg].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`;
      const urlenc = await api.raw('POST', '/addversion.json', {
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.deepEqual(
        { ...urlenc.json, node_name: undefined },
        { project: 'demo', version: '0.2', spiders: DEMO_SPIDERS.length, status: 'ok', node_name: undefined },
      );
      assert.equal(ScrapydClient.ok(await api.addVersion('demo', '1700000000', egg)).version, '1700000000');
      assert.deepEqual((await api.get('listversions.json', { project: 'demo' })).versions, [
        '0_1',
        '0_2',
        '1700000000',
      ]);

      const notZip = await api.addVersion('demo', '9', Buffer.from('this is not a zip'));
      assert.equal(notZip.message, 'egg is not a ZIP file (if using curl, use egg=@path not egg=path)');
      assert.equal((await api.addVersion('../evil', '1', egg)).message, 'DirectoryTraversalError: ../evil');
      assert.equal((await api.addVersion('a/b', '1', egg)).message, 'DirectoryTraversalError: a/b');
      assert.equal(
        (await api.post('addversion.json', { project: 'a\u0001b', version: '1', egg: 'x' })).message,
        'DirectoryTraversalError: a\u0001b',
      );
      assert.equal(
        (await api.post('addversion.json', { project: 'a\u0000b', version: '1', egg: 'x' })).message,
        'DirectoryTraversalError: a\u0000b',
      );
      const evil = traversalZip();
      assert.match(String((await api.addVersion('demo', '9', evil)).message), /escapes its directory: \.\.\/evil\.py/);
      assert.deepEqual((await api.get('listversions.json', { project: 'demo' })).versions, [
        '0_1',
        '0_2',
        '1700000000',
      ]);
    },
  );

  await t.test(
    'addversion: a broken egg is rolled back and earlier versions stay (D1); too large is refused',
    async () => {
      const broken = await api.addVersion('demo', '2000000000', await buildEgg('broken'));
      assert.equal(broken.status, 'error');
      assert.match(String(broken.message), /^RunnerError: .*does_not_exist_module/s);
      assert.deepEqual((await api.get('listversions.json', { project: 'demo' })).versions, [
        '0_1',
        '0_2',
        '1700000000',
      ]);
      const big = await api.addVersion('demo', '3', Buffer.alloc(3 * 1024 * 1024, 1));
      assert.equal(big.status, 'error');
      assert.match(String(big.message), /upload limit/);
    },
  );

  await t.test('listversions: unknown project → []; lexical fallback ordering; latest last', async () => {
    assert.deepEqual((await api.get('listversions.json', { project: 'nope' })).versions, []);
    assert.equal((await api.get('listversions.json', { project: '../x' })).message, 'DirectoryTraversalError: ../x');
    ScrapydClient.ok(await api.addVersion('order', '1_9', egg));
    ScrapydClient.ok(await api.addVersion('order', '1_10', egg));
    assert.deepEqual((await api.get('listversions.json', { project: 'order' })).versions, ['1_10', '1_9']);
    ScrapydClient.ok(await api.addVersion('numeric', '9', egg));
    ScrapydClient.ok(await api.addVersion('numeric', '10', egg));
    assert.deepEqual((await api.get('listversions.json', { project: 'numeric' })).versions, ['9', '10']);
    assert.deepEqual((await api.get('listprojects.json')).projects, ['demo', 'numeric', 'order']);
  });

  await t.test('listspiders: project and version errors', async () => {
    assert.equal((await api.get('listspiders.json', { project: 'nope' })).message, "project 'nope' not found");
    assert.equal(
      (await api.get('listspiders.json', { project: 'demo', _version: '7' })).message,
      "version '7' not found",
    );
    assert.equal(
      ((await api.get('listspiders.json', { project: 'demo', _version: '0.1' })).spiders as string[]).length,
      DEMO_SPIDERS.length,
    );
  });

  await t.test('schedule: errors, jobid, settings with "=", args, reserved names, limits', async () => {
    assert.equal(
      (await api.post('schedule.json', { project: 'nope', spider: 'quick' })).message,
      "project 'nope' not found",
    );
    assert.equal(
      (await api.post('schedule.json', { project: 'demo', spider: 'quick', _version: 'x' })).message,
      "version 'x' not found",
    );
    assert.equal(
      (await api.post('schedule.json', { project: 'demo', spider: 'ghost' })).message,
      "spider 'ghost' not found",
    );
    assert.equal(
      (await api.post('schedule.json', { project: 'demo', spider: 'quick', setting: 'NOEQUALS' })).message,
      'ValueError: dictionary update sequence element #0 has length 1; 2 is required',
    );
    assert.match(
      String((await api.post('schedule.json', { project: 'demo', spider: 'quick', _job: 'x' })).message),
      /^TypeError: '_job'/,
    );
    assert.equal(
      (await api.post('schedule.json', { project: 'demo', spider: 'quick', jobid: '../x' })).message,
      'DirectoryTraversalError: ../x',
    );
    const many = Array.from({ length: 1500 }, (_, i) => ['setting', `K${i}=v`] as [string, string]);
    assert.match(
      String((await api.post('schedule.json', [['project', 'demo'], ['spider', 'quick'], ...many])).message),
      /^setting is invalid: 1500 values/,
    );
    const badUtf8 = await api.raw('POST', '/schedule.json', {
      body: 'project=demo&spider=%ff',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(
      badUtf8.json.message,
      "spider is invalid: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
    );

    // Occupy the only slot so the next jobs stay pending and listjobs shows their shape.
    const blocker = await schedule(api, { project: 'demo', spider: 'slow', jobid: 'blocker' });
    await waitRunning(api, blocker);
    const id = await schedule(api, [
      ['project', 'demo'],
      ['spider', 'quick'],
      ['_version', '0.1'],
      ['setting', 'A=1=2'],
      ['setting', 'B='],
      ['arg1', 'v1'],
      ['arg1', 'second'],
    ]);
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(id[12], '1', 'default job ids are time-based (uuid1) like Scrapyd');
    const fixed = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'my-job' });
    assert.equal(fixed, 'my-job');
    const jobs = await listJobs(api, 'demo');
    const pending = jobs.pending.find((j) => j.id === id);
    assert.deepEqual(pending, {
      id,
      project: 'demo',
      spider: 'quick',
      version: '0.1',
      settings: { A: '1=2', B: '' },
      args: { arg1: 'v1' },
      // Additive fields: no tags asked for, and why it waits (the only slot is busy).
      tags: [],
      pending_reason: 'all 1 matching agent is full',
    });
    assert.deepEqual(
      jobs.pending.map((j) => j.id),
      [id, 'my-job'],
    );
    const running = jobs.running.find((j) => j.id === 'blocker')!;
    assert.equal(typeof running.pid, 'number');
    assert.match(running.start_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
    // As in Scrapyd, whose crawl creates both files as it starts: a running job links them at once.
    assert.equal(running.log_url, '/logs/demo/slow/blocker.log');
    assert.equal(running.items_url, '/items/demo/slow/blocker.jl');
    assert.equal((await api.get('listjobs.json', { project: 'nope' })).message, "project 'nope' not found");
    const status = await api.get('daemonstatus.json');
    assert.deepEqual([status.pending, status.running], [2, 1]);

    assert.equal((await api.get('status.json', { job: 'my-job' })).currstate, 'pending');
    assert.equal((await api.get('status.json', { job: 'blocker', project: 'demo' })).currstate, 'running');
    assert.equal((await api.get('status.json', { job: 'unknown' })).currstate, null);
    assert.equal((await api.get('status.json', { job: 'x', project: 'nope' })).message, "project 'nope' not found");
    assert.equal((await api.post('cancel.json', { project: 'nope', job: 'x' })).message, "project 'nope' not found");
  });

  await t.test('delversion and delproject; deleting a project purges its pending jobs (D7)', async () => {
    assert.equal(
      (await api.post('delversion.json', { project: 'nope', version: '1' })).message,
      "version '1' not found",
    );
    assert.equal(
      (await api.post('delversion.json', { project: 'numeric', version: '8' })).message,
      "version '8' not found",
    );
    ScrapydClient.ok(await api.post('delversion.json', { project: 'numeric', version: '9' }));
    ScrapydClient.ok(await api.post('delversion.json', { project: 'numeric', version: '10' }));
    assert.deepEqual(
      (await api.get('listprojects.json')).projects,
      ['demo', 'order'],
      'last version removes the project',
    );
    assert.equal((await api.post('delproject.json', { project: 'nope' })).message, "project 'nope' not found");
    assert.equal((await api.post('delproject.json', { project: '../x' })).message, 'DirectoryTraversalError: ../x');
    ScrapydClient.ok(await api.post('delproject.json', { project: 'demo' }));
    assert.deepEqual((await api.get('listprojects.json')).projects, ['order']);
    const jobs = await listJobs(api);
    assert.deepEqual(jobs.pending, [], 'pending jobs of the deleted project are gone');
    assert.ok(
      jobs.running.some((j) => j.id === 'blocker'),
      'running jobs continue',
    );
    await deploy(api, 'demo', '5');
    assert.deepEqual((await listJobs(api)).pending, [], 'and do not come back with the project');
    ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: 'blocker', signal: 'KILL' }));
  });
}
