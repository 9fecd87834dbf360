/**
 * The role × endpoint matrix on the real master (buildApp, SQLite, app.inject), every route of every surface as
 * GET /api/v1/access lists it, for each role on every project, on project `a`, on project `b`, and for none.
 * People with roles come from a credential resolver (the extension point users and tokens plug into): a bearer
 * string names the principal. Also: the open default (no credentials configured) keeps Scrapyd's semantics.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import { TOKEN_ROLES, type AccessTableResponse, type Grant } from '@scrapyard/protocol';
import {
  expected,
  requestFor,
  rolePrincipals,
  runMatrix,
  type MatrixPrincipal,
  type MatrixRequest,
} from '../../../../test/helpers/access-matrix.js';
import { buildApp, type MasterApp } from '../app.js';
import { loadMasterConfig } from '../config-load.js';
import type { CredentialResolver } from './authenticator.js';

const ADMIN = { username: 'admin', password: 'admin-secret' };
const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;

async function master(t: TestContext, flags: Record<string, unknown>, resolvers: CredentialResolver[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'scrapyard-access-'));
  // Every case sends a wrong password: the login limiter would lock the name and the address long before the end.
  const config = loadMasterConfig({
    flags: {
      dataDir: dir,
      localAgent: false,
      loginMaxFailures: 1_000_000,
      loginMaxFailuresPerAddress: 1_000_000,
      ...flags,
    },
  });
  const m = await buildApp(config, pino({ level: 'silent' }), { resolvers });
  t.after(async () => {
    await m.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await m.app.ready();
  return { m, dir };
}

const send = (m: MasterApp) => async (r: MatrixRequest) => {
  const res = await m.app.inject({
    method: r.method as 'GET',
    url: r.path,
    headers: r.headers,
    ...(r.body === undefined ? {} : { payload: r.body }),
  });
  return { status: res.statusCode, text: res.body };
};

async function tableOf(m: MasterApp): Promise<AccessTableResponse> {
  const res = await m.app.inject({ method: 'GET', url: '/api/v1/access', headers: { authorization: basic } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<AccessTableResponse>();
}

void test('every route of every surface refuses exactly the principals its rule refuses', async (t) => {
  const people = new Map<string, MatrixPrincipal>();
  const principals = rolePrincipals(TOKEN_ROLES, (name) => ({ authorization: `Bearer role:${name}` }));
  for (const p of principals) people.set(`role:${p.name}`, p);
  const resolver: CredentialResolver = {
    bearer: async (token) => {
      const p = people.get(token);
      if (p === undefined || typeof p.holds === 'string') return undefined;
      return { kind: 'user', userId: p.name, name: p.name, grants: p.holds as Grant[] };
    },
  };
  const { m } = await master(t, { username: ADMIN.username, password: ADMIN.password }, [resolver]);
  const table = await tableOf(m);
  // Every surface is in the table.
  for (const surface of ['scrapyd', 'rest', 'agent', 'metrics'] as const) {
    assert.ok(
      table.routes.some((r) => r.surface === surface),
      `${surface} routes are listed`,
    );
  }
  assert.ok(
    table.routes.some((r) => r.method === 'HEAD' && r.url === '/api/v1/jobs'),
    "fastify's HEAD routes too",
  );
  const all: MatrixPrincipal[] = [
    { name: 'anonymous', headers: {}, holds: 'anonymous' },
    { name: 'wrong password', headers: { authorization: 'Basic YWRtaW46bm9wZQ==' }, holds: 'anonymous' },
    { name: 'config pair', headers: { authorization: basic }, holds: [{ role: 'admin', projects: '*' }] },
    ...principals,
  ];
  const { failures, cases } = await runMatrix(table, all, send(m));
  assert.deepEqual(failures, [], `${failures.length} of ${cases} cases failed`);
  assert.ok(cases > 1000, `${cases} cases`);
});

void test('the open default: anonymous uses the whole Scrapyd API and the REST reads, never REST writes', async (t) => {
  const { m, dir } = await master(t, {});
  const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
  const res = await m.app.inject({
    method: 'GET',
    url: '/api/v1/access',
    headers: { authorization: `Bearer ${token}` },
  });
  const table = res.json<AccessTableResponse>();
  const anonymous: MatrixPrincipal = { name: 'anonymous', headers: {}, holds: 'anonymous' };
  const open: MatrixPrincipal = { ...anonymous, holds: [{ role: 'admin', projects: '*' }] };
  let checked = 0;
  for (const route of table.routes) {
    // Open to strangers: Scrapyd's surface, and what reads (GET, HEAD) through the REST API or /metrics.
    const isOpen =
      route.surface === 'scrapyd' ||
      (['read', 'metrics'].includes(route.action ?? '') && ['GET', 'HEAD'].includes(route.method));
    const want = expected(table.actions, route, isOpen ? open : anonymous);
    // A public route holds no rule: it checks its own credential (an enrollment token, a login's password).
    if (want === 'any') continue;
    const got = await send(m)(requestFor(route));
    const refused = got.status === 401 || got.status === 403;
    assert.ok(
      want === 'ok' ? !refused : want === 'identified' ? got.status !== 401 : got.status === want,
      `${route.method} ${route.url}: ${got.status} ${got.text}`,
    );
    checked++;
  }
  assert.ok(checked > 100);
});

void test('the rules say what the role table promises for each surface', async (t) => {
  const { m } = await master(t, { username: ADMIN.username, password: ADMIN.password });
  const table = await tableOf(m);
  const ruleOf = (method: string, url: string) => {
    const r = table.routes.find((x) => x.method === method && x.url === url);
    assert.ok(r, `${method} ${url} is listed`);
    return r.public ? 'public' : r.node ? 'node' : `${r.action} ${r.project ?? '-'}`;
  };
  const want: [string, string, string][] = [
    ['POST', '/schedule.json', 'schedule the project parameter'],
    ['POST', '/cancel.json', 'cancel the project parameter'],
    ['POST', '/addversion.json', 'deploy the project parameter'],
    ['POST', '/delversion.json', 'delete the project parameter'],
    ['POST', '/delproject.json', 'delete the project parameter'],
    ['GET', '/listjobs.json', 'read the project parameter'],
    ['GET', '/daemonstatus.json', 'read the project parameter'],
    ['GET', '/jobs', 'read -'],
    ['GET', '/logs/*', 'read the first segment of the path'],
    ['GET', '/api/v1/jobs', 'read query.project'],
    ['POST', '/api/v1/jobs', 'schedule body.project'],
    ['POST', '/api/v1/jobs/:jobId/cancel', 'cancel body.project'],
    ['POST', '/api/v1/schedules/:id/run', "run-schedule the schedule's project"],
    ['PATCH', '/api/v1/schedules/:id', "configure the schedule's project and body.project"],
    ['PUT', '/api/v1/projects/:project/policy', 'configure params.project'],
    ['POST', '/api/v1/webhooks', 'configure body.project (none: every project)'],
    ['POST', '/api/v1/channels', 'configure every project'],
    ['POST', '/api/v1/alert-rules', 'configure body.condition.project (none: every project)'],
    ['POST', '/api/v1/nodes/enrollments', 'admin -'],
    ['POST', '/api/v1/nodes/:id/cordon', 'admin -'],
    ['GET', '/api/v1/access', 'admin -'],
    ['GET', '/metrics', 'metrics -'],
    ['GET', '/agent/v1/eggs/:digest', 'node'],
    ['POST', '/agent/v1/register', 'public'],
    ['GET', '/ui/*', 'public'],
  ];
  for (const [method, url, rule] of want) assert.equal(ruleOf(method, url), rule, `${method} ${url}`);
  const roles = Object.fromEntries(table.actions.map((a) => [a.action, a.roles]));
  assert.deepEqual(roles.schedule, ['admin', 'maintainer', 'operator']);
  assert.deepEqual(roles.admin, ['admin']);
});
