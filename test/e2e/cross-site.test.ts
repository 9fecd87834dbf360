/**
 * A page on another site can make a visitor's browser POST to the master (a form or a `text/plain` body needs no
 * preflight), with the basic-auth credentials the browser holds. Every state-changing request a browser marks as
 * cross-site (`Origin` of another site, `Sec-Fetch-Site: cross-site`/`same-site`) is refused with 403
 * CROSS_SITE_REQUEST before anything happens, on every surface; clients that send no Origin (curl, scrapyd-deploy,
 * python-scrapyd-api, ScrapydWeb and Gerapy from their servers) and the master's own origin keep working.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { request } from '../helpers/http.js';
import { deploy } from '../helpers/jobs.js';
import { queryMaster } from '../helpers/master-db.js';
import { startMaster } from '../helpers/processes.js';

const auth = { username: 'admin', password: 'pw-cross-site' };

void test('cross-site POSTs are refused and change nothing; the same request without Origin works', async (t) => {
  const master = await startMaster(t, {
    env: { SCRAPYARD_USERNAME: auth.username, SCRAPYARD_PASSWORD: auth.password },
  });
  const api = new ScrapydClient(master.url, auth);
  await deploy(api);
  const projects = async () => (await api.get('listprojects.json')).projects as string[];
  assert.deepEqual(await projects(), ['demo']);

  // What a form or fetch(…, {mode: 'no-cors'}) on evil.example sends: text/plain, no body, the browser's credentials.
  const delproject = (headers: Record<string, string>) =>
    request(`${master.url}/delproject.json?project=demo`, {
      method: 'POST',
      auth,
      headers: { 'content-type': 'text/plain', ...headers },
      body: '',
    });
  const browsers: Record<string, string>[] = [
    { origin: 'http://evil.example' },
    { origin: 'null' },
    { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
  ];
  for (const headers of browsers) {
    const r = await delproject(headers);
    assert.equal(r.status, 403, `${JSON.stringify(headers)}: ${r.text}`);
    assert.equal((r.json.error as { code: string }).code, 'CROSS_SITE_REQUEST', JSON.stringify(headers));
    assert.equal(r.json.status, 'error', 'Scrapyd clients read status and message');
  }
  assert.deepEqual(await projects(), ['demo'], 'nothing was deleted');

  // REST administration too, even with the right credentials.
  const enroll = (headers: Record<string, string>) =>
    request(`${master.url}/api/v1/nodes/enrollments`, {
      method: 'POST',
      auth,
      headers: { 'content-type': 'text/plain', ...headers },
      body: headers['content-type'] === 'application/json' ? '{}' : '',
    });
  const refused = await enroll({ origin: 'http://evil.example' });
  assert.equal(refused.status, 403, refused.text);
  assert.equal((refused.json.error as { code: string }).code, 'CROSS_SITE_REQUEST');
  const deleted = await request(`${master.url}/api/v1/schedules/any`, {
    method: 'DELETE',
    auth,
    headers: { 'sec-fetch-site': 'cross-site' },
  });
  assert.equal(deleted.status, 403, deleted.text);
  assert.deepEqual(await queryMaster(master.dataDir, 'SELECT COUNT(*) AS n FROM enrollments'), [{ n: 0 }]);

  // Reads stay open to other origins (CORS governs what a page may read), and the master's own pages may post.
  const read = await request(`${master.url}/listprojects.json`, { auth, headers: { origin: 'http://evil.example' } });
  assert.equal(read.status, 200, read.text);
  const own = await enroll({ origin: master.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' });
  assert.equal(own.status, 201, own.text);

  // curl, scrapyd-deploy, python-scrapyd-api, ScrapydWeb: no Origin, no Sec-Fetch-Site.
  const curl = await delproject({});
  assert.equal(curl.status, 200, curl.text);
  assert.equal(curl.json.status, 'ok', curl.text);
  assert.deepEqual(await projects(), []);
});

void test('an origin listed in cors_origins may change state from a browser; * only lets pages read', async (t) => {
  const dash = 'https://dash.example';
  const listed = await startMaster(t, { args: ['--no-local-agent'], env: { SCRAPYARD_CORS_ORIGINS: dash } });
  const any = await startMaster(t, { args: ['--no-local-agent'] });
  const cancel = (url: string, origin: string) =>
    request(`${url}/cancel.json?project=demo&job=none`, { method: 'POST', headers: { origin }, body: '' });
  assert.equal((await cancel(listed.url, dash)).status, 200);
  assert.equal((await cancel(listed.url, 'https://other.example')).status, 403);
  assert.equal((await cancel(any.url, dash)).status, 403, 'the default * does not let other sites change state');
});
