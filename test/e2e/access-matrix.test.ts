/**
 * The role × endpoint matrix against the real master process, generated from GET /api/v1/access: every route of
 * every surface, for each principal a real client can hold, is refused exactly when its rule says (401 without
 * credentials, 403 for a too-small role; Scrapyd's 401 page for a credential that is no Scrapyd user). A route
 * without a rule can't be registered at all (the master would not start). To cover a new kind of principal (a
 * user, an API token, a browser session), add a row to `principals` with what it holds and how it proves it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { USER_ROLES, type AccessTableResponse, type Grant } from '@scrapyard/protocol';
import { rolePrincipals, runMatrix, type MatrixPrincipal } from '../helpers/access-matrix.js';
import { request } from '../helpers/http.js';
import { adminTokenOf, startMaster } from '../helpers/processes.js';

const PAIR = { username: 'admin', password: 'matrix-secret' };
const METRICS_TOKEN = 'matrix-metrics-token-0123456789';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

void test('role × endpoint matrix over every route of every surface', async (t) => {
  const master = await startMaster(t, {
    args: ['--no-local-agent'],
    env: {
      SCRAPYD_USERNAME: PAIR.username,
      SCRAPYD_PASSWORD: PAIR.password,
      SCRAPYARD_METRICS_TOKEN: METRICS_TOKEN,
      // Every route is tried with a wrong password: the login limiter would lock the name and the address.
      SCRAPYARD_LOGIN_MAX_FAILURES: '1000000',
      SCRAPYARD_LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
    },
  });
  const adminToken = adminTokenOf(master.dataDir)!;
  const principals: MatrixPrincipal[] = [
    { name: 'anonymous', headers: {}, holds: 'anonymous' },
    { name: 'a wrong password', headers: { authorization: basic(PAIR.username, 'nope') }, holds: 'anonymous' },
    {
      name: 'the config pair',
      headers: { authorization: basic(PAIR.username, PAIR.password) },
      holds: [{ role: 'admin', projects: '*' }],
    },
    {
      name: 'the admin token',
      headers: { authorization: `Bearer ${adminToken}` },
      holds: [{ role: 'admin', projects: '*' }],
    },
    {
      name: 'the metrics token',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      holds: [{ role: 'metrics', projects: '*' }],
    },
  ];
  // Each role on every project, on project a and on project b, held by a real API token (the master's own token
  // resolver, not a test's): every route is tried with each.
  const tokens = new Map<string, string>();
  const roleHolders = rolePrincipals(USER_ROLES, (name) => ({ authorization: `Bearer ${tokens.get(name) ?? ''}` }));
  for (const p of roleHolders.filter((x) => x.name !== 'no-role')) {
    const [grant] = p.holds as Grant[];
    const created = await request(`${master.url}/api/v1/tokens`, {
      method: 'POST',
      bearer: adminToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: p.name, role: grant!.role, projects: grant!.projects, serviceAccount: true }),
    });
    assert.equal(created.status, 201, created.text);
    tokens.set(p.name, (created.json as { secret: string }).secret);
  }
  principals.push(
    ...roleHolders
      .filter((x) => x.name !== 'no-role')
      .map((x) => ({
        ...x,
        name: `a token of ${x.name}`,
        headers: { authorization: `Bearer ${tokens.get(x.name)!}` },
      })),
  );
  const listed = await request(`${master.url}/api/v1/access`, { bearer: adminToken });
  assert.equal(listed.status, 200, listed.text);
  const table = listed.json as unknown as AccessTableResponse;
  assert.ok(table.routes.length > 100, `${table.routes.length} routes`);
  for (const surface of ['scrapyd', 'rest', 'agent', 'metrics']) {
    assert.ok(
      table.routes.some((r) => r.surface === surface),
      `${surface} routes are listed`,
    );
  }
  // Only admins read the table.
  const refused = await request(`${master.url}/api/v1/access`, { bearer: METRICS_TOKEN });
  assert.equal(refused.status, 403);

  const { failures, cases } = await runMatrix(table, principals, async (r) => {
    const res = await request(`${master.url}${r.path}`, {
      method: r.method,
      headers: r.headers,
      ...(r.body === undefined ? {} : { body: r.body }),
    });
    return { status: res.status, text: res.text };
  });
  assert.deepEqual(failures, [], `${failures.length} of ${cases} cases failed`);
  assert.ok(!master.output().includes(PAIR.password) && !master.output().includes(METRICS_TOKEN), 'no secret logged');
});
