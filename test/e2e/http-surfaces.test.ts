/**
 * Small things users of the Scrapyd surface hit: CORS (Scrapyd's `*` by default, narrowed by `cors_origins`),
 * and the /logs/ and /items/ trees of a master that has run nothing yet.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCluster } from '../helpers/cluster.js';

void test("CORS: Scrapyd's * by default; cors_origins answers listed origins only, with Vary: Origin", async (t) => {
  const open = await startCluster(t);
  const fromDash = { origin: 'https://dash.example' };
  let r = await open.api.raw('GET', '/daemonstatus.json', { headers: fromDash });
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('vary'), null, 'one answer for every origin: nothing to vary');
  r = await open.api.raw('OPTIONS', '/schedule.json', { headers: fromDash });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');

  const narrow = await startCluster(t, {
    env: { SCRAPYARD_CORS_ORIGINS: 'https://dash.example, http://127.0.0.1:5000/' },
  });
  const acao = async (method: string, path: string, origin?: string) => {
    const res = await narrow.api.raw(method, path, { headers: origin === undefined ? {} : { origin } });
    assert.equal(res.headers.get('vary'), 'Origin', `${method} ${path} from ${origin}`);
    return res.headers.get('access-control-allow-origin');
  };
  assert.equal(await acao('GET', '/daemonstatus.json', 'https://dash.example'), 'https://dash.example');
  assert.equal(await acao('GET', '/listprojects.json', 'http://127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(await acao('OPTIONS', '/schedule.json', 'https://dash.example'), 'https://dash.example');
  // Error envelopes carry the same headers.
  assert.equal(await acao('POST', '/schedule.json', 'https://dash.example'), 'https://dash.example');
  for (const other of ['https://evil.example', 'http://dash.example', 'https://dash.example:8443', 'null']) {
    assert.equal(await acao('GET', '/daemonstatus.json', other), null, `no ACAO for ${other}`);
    assert.equal(await acao('OPTIONS', '/schedule.json', other), null, `no ACAO for ${other} (preflight)`);
  }
  assert.equal(await acao('GET', '/daemonstatus.json'), null, 'none without an Origin');
  // The answer itself is unchanged (CORS only governs what a browser page may read).
  assert.equal((await narrow.api.get('daemonstatus.json')).status, 'ok');
});

void test('/logs/ and /items/ exist from the first start: an empty master lists them empty', async (t) => {
  const { master, api } = await startCluster(t);
  for (const tree of ['logs', 'items']) {
    assert.ok(statSync(join(master.dataDir, tree)).isDirectory(), `${tree}/ was created at start-up`);
    const r = await api.raw('GET', `/${tree}/`);
    assert.equal(r.status, 200, `/${tree}/: ${r.text}`);
    assert.match(r.text, new RegExp(`<h1>Directory listing for /${tree}/</h1>`));
    assert.doesNotMatch(r.text, /<tr class="(odd|even)">/, 'no entries');
  }
});
