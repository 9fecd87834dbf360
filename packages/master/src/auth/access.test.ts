/**
 * The access hooks on a small fastify app: a route without a rule can't be registered; the project is checked
 * where the rule says (path or query before the body is read, body or a resource's own project after); each
 * surface answers in its dialect; projectsVisible reports what the caller may see.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Grant } from '@scrapyard/protocol';
import { installAccess, projectsVisible, setNotFoundWithRule } from './access.js';
import { inBody, inParams, inQuery, needs, NODE_SESSION, PUBLIC, scrapydNeeds, SIGNED_IN } from './access-rules.js';
import { Authenticator, type CredentialResolver } from './authenticator.js';

const ADMIN_TOKEN = `adm_${'1'.repeat(64)}`;
const NODE_TOKEN = 'f'.repeat(64);

/** `Bearer as:<role>:<projects>` is a user holding that one grant. */
const asRole: CredentialResolver = {
  bearer: async (token) => {
    const m = /^as:(\w+):(.+)$/.exec(token);
    if (!m) return undefined;
    const grant = { role: m[1], projects: m[2] === '*' ? '*' : m[2]!.split(',') } as Grant;
    return { kind: 'user', userId: token, name: token, grants: [grant] };
  },
};
const bearer = (role: string, projects: string) => ({ authorization: `Bearer as:${role}:${projects}` });

function appWith(open: boolean): { app: FastifyInstance; bodies: string[] } {
  const auth = new Authenticator({
    username: open ? '' : 'admin',
    password: open ? '' : 'secret',
    adminToken: ADMIN_TOKEN,
    nodeForSessionToken: (t) => (t === NODE_TOKEN ? 'node-1' : undefined),
    resolvers: [asRole],
  });
  const app = Fastify();
  installAccess(app, auth);
  // Records each body parsed: a request refused at onRequest never gets here.
  const bodies: string[] = [];
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    bodies.push(String(body));
    done(null, JSON.parse(String(body)));
  });
  const visible = (req: Parameters<typeof projectsVisible>[0]) => {
    const v = projectsVisible(req, 'read');
    return { visible: v === '*' ? '*' : [...v] };
  };
  app.get('/list', { config: needs('read') }, async (req) => visible(req));
  app.get('/p/:project', { config: needs('read', inParams()) }, async () => ({ ok: true }));
  app.get('/q', { config: needs('read', inQuery()) }, async () => ({ ok: true }));
  app.post('/jobs', { config: needs('schedule', inBody()) }, async () => ({ ok: true }));
  // A stored resource's project, and a resource of every project.
  const stored: Record<string, string | null> = { s1: 'a', s2: 'b', everyone: null };
  const ofStored = {
    of: 'the stored project',
    find: async (req: { params: unknown }) => stored[(req.params as { id: string }).id],
  };
  app.post('/things/:id/run', { config: needs('run-schedule', ofStored) }, async () => ({ ok: true }));
  app.get('/admin', { config: needs('admin') }, async () => ({ ok: true }));
  app.get('/eggs', { config: NODE_SESSION }, async () => ({ ok: true }));
  app.post('/register', { config: PUBLIC }, async () => ({ ok: true }));
  app.get('/me', { config: SIGNED_IN }, async (req) => ({ kind: req.principal?.kind }));
  app.register(async (scrapyd) => {
    scrapyd.post('/schedule.json', { config: scrapydNeeds('schedule', inQuery()) }, async () => ({ status: 'ok' }));
    setNotFoundWithRule(scrapyd, scrapydNeeds('read'), async (_req, reply) => reply.code(404).send('No Such Resource'));
  });
  return { app, bodies };
}

void test('a route without a rule (or with an unknown action) is refused at registration', async () => {
  const { app } = appWith(false);
  assert.throws(() => app.get('/forgotten', async () => 'open?'), /GET \/forgotten declares no access rule/);
  assert.throws(
    () => app.get('/typo', { config: { access: { action: 'raed' } } } as never, async () => 'open?'),
    /unknown action "raed"/,
  );
  await app.close();
});

void test("fastify's HEAD routes carry the rule of their GET", async () => {
  const { app } = appWith(false);
  const head = await app.inject({ method: 'HEAD', url: '/admin', headers: bearer('viewer', '*') });
  assert.equal(head.statusCode, 403);
  assert.equal((await app.inject({ method: 'HEAD', url: '/admin', headers: bearer('admin', '*') })).statusCode, 200);
});

void test('the project of the path or query is checked before the body; a body project after it is parsed', async () => {
  const { app, bodies } = appWith(false);
  const status = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: unknown) =>
    (await app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) })).statusCode;
  assert.equal(await status('GET', '/p/a', bearer('viewer', 'a')), 200);
  assert.equal(await status('GET', '/p/b', bearer('viewer', 'a')), 403);
  assert.equal(await status('GET', '/q?project=a', bearer('viewer', 'a,c')), 200);
  assert.equal(await status('GET', '/q?project=b', bearer('viewer', 'a')), 403);
  // No project named: any reader passes (lists filter with projectsVisible).
  assert.equal(await status('GET', '/q', bearer('viewer', 'a')), 200);

  // A viewer can't schedule anywhere: refused before its body is read.
  assert.equal(await status('POST', '/jobs', bearer('viewer', 'a'), { project: 'a' }), 403);
  assert.deepEqual(bodies, []);
  assert.equal(await status('POST', '/jobs', {}, { project: 'a' }), 401);
  assert.deepEqual(bodies, []);
  // An operator of a: its project is read from the body.
  assert.equal(await status('POST', '/jobs', bearer('operator', 'a'), { project: 'a' }), 200);
  assert.equal(await status('POST', '/jobs', bearer('operator', 'a'), { project: 'b' }), 403);
  assert.equal(bodies.length, 2);
});

void test("a resource's own project decides; a resource of every project needs a * grant", async () => {
  const { app } = appWith(false);
  const run = async (id: string, role: string, projects: string) =>
    (await app.inject({ method: 'POST', url: `/things/${id}/run`, headers: bearer(role, projects) })).statusCode;
  assert.equal(await run('s1', 'operator', 'a'), 200);
  assert.equal(await run('s2', 'operator', 'a'), 403);
  assert.equal(await run('everyone', 'operator', 'a'), 403);
  assert.equal(await run('everyone', 'operator', '*'), 200);
  assert.equal(await run('s1', 'viewer', '*'), 403);
});

void test('REST refusals: 401 with a challenge without credentials, 403 naming the action and the role', async () => {
  const { app } = appWith(false);
  const anon = await app.inject({ method: 'POST', url: '/jobs', payload: { project: 'a' } });
  assert.equal(anon.statusCode, 401);
  assert.equal(anon.json().error.code, 'UNAUTHORIZED');
  assert.equal(anon.headers['www-authenticate'], 'Basic realm="Scrapyard", Bearer realm="Scrapyard"');
  // A page's script, or a browser whose session ended: no Basic, or the browser would hold it for its own dialog.
  for (const headers of [
    { 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin' },
    { cookie: `a=1; scrapyard_session=${'x'.repeat(43)}` },
  ]) {
    const ui = await app.inject({ method: 'POST', url: '/jobs', headers, payload: { project: 'a' } });
    assert.equal(ui.statusCode, 401);
    assert.equal(ui.headers['www-authenticate'], 'Bearer realm="Scrapyard"');
  }
  // Typed in the address bar, or Node's fetch (Sec-Fetch-Mode alone): the Basic challenge stays.
  for (const headers of [{ 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'none' }, { 'sec-fetch-mode': 'cors' }]) {
    const other = await app.inject({ method: 'POST', url: '/jobs', headers });
    assert.equal(other.headers['www-authenticate'], 'Basic realm="Scrapyard", Bearer realm="Scrapyard"');
  }
  assert.match(anon.json().error.message, /admin token/);
  const viewer = await app.inject({ method: 'POST', url: '/jobs', headers: bearer('viewer', 'a'), payload: {} });
  assert.deepEqual(viewer.json(), {
    error: { code: 'FORBIDDEN', message: 'a viewer of project a may not schedule jobs' },
  });
  const elsewhere = await app.inject({
    method: 'POST',
    url: '/jobs',
    headers: bearer('operator', 'b,c'),
    payload: { project: 'a' },
  });
  assert.equal(elsewhere.json().error.message, 'an operator of projects b, c may not schedule jobs in project a');
  const long = await app.inject({
    method: 'POST',
    url: '/jobs',
    headers: bearer('operator', 'b'),
    payload: { project: 'p'.repeat(100_000) },
  });
  assert.match(long.json().error.message, /in project p{40}… \(100000 characters\)$/);
  const node = await app.inject({ method: 'GET', url: '/admin', headers: { authorization: `Bearer ${NODE_TOKEN}` } });
  assert.equal(node.json().error.message, 'an agent node may not administer nodes, enrollment, users and settings');
});

void test("Scrapyd's dialect: Twisted's 401 to non-users, Scrapyd's error object with a 403 to a too-small role", async () => {
  const { app } = appWith(false);
  for (const headers of [{}, { authorization: `Bearer ${NODE_TOKEN}` }, bearer('metrics', '*')]) {
    const r = await app.inject({ method: 'POST', url: '/schedule.json?project=a', headers });
    assert.equal(r.statusCode, 401);
    assert.equal(r.body, 'Unauthorized');
    assert.equal(r.headers['www-authenticate'], 'basic realm="Scrapyd"');
  }
  const viewer = await app.inject({ method: 'POST', url: '/schedule.json?project=a', headers: bearer('viewer', 'a') });
  assert.equal(viewer.statusCode, 403);
  assert.deepEqual(viewer.json(), { status: 'error', message: 'a viewer of project a may not schedule jobs' });
  const ok = await app.inject({ method: 'POST', url: '/schedule.json?project=a', headers: bearer('operator', 'a') });
  assert.equal(ok.statusCode, 200);
  // Unknown paths: the not-found handler's rule (read), so strangers learn nothing.
  assert.equal((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/nowhere', headers: bearer('viewer', 'x') })).statusCode, 404);
});

void test('agent sessions, public routes, and what the open default opens', async () => {
  const closed = appWith(false).app;
  const node = { authorization: `Bearer ${NODE_TOKEN}` };
  assert.equal((await closed.inject({ method: 'GET', url: '/eggs', headers: node })).statusCode, 200);
  assert.equal((await closed.inject({ method: 'GET', url: '/eggs', headers: bearer('admin', '*') })).statusCode, 403);
  assert.equal(
    (await closed.inject({ method: 'GET', url: '/eggs' })).json().error.message,
    'missing or invalid agent session token',
  );
  assert.equal((await closed.inject({ method: 'POST', url: '/register' })).statusCode, 200);
  // Signed in: anyone identified, whatever their role; the route reads who from req.principal.
  assert.deepEqual((await closed.inject({ method: 'GET', url: '/me', headers: bearer('viewer', 'a') })).json(), {
    kind: 'user',
  });
  assert.deepEqual((await closed.inject({ method: 'GET', url: '/me', headers: node })).json(), { kind: 'node' });
  const stranger = await closed.inject({ method: 'GET', url: '/me' });
  assert.equal(stranger.statusCode, 401);
  assert.equal(stranger.json().error.message, 'missing or wrong credentials');

  const { app } = appWith(true);
  assert.equal((await app.inject({ method: 'POST', url: '/schedule.json?project=a' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/q?project=a' })).statusCode, 200);
  assert.deepEqual((await app.inject({ method: 'GET', url: '/list' })).json(), { visible: '*' });
  const write = await app.inject({ method: 'POST', url: '/jobs', payload: { project: 'a' } });
  assert.equal(write.statusCode, 401);
  assert.equal(write.headers['www-authenticate'], 'Bearer realm="Scrapyard"');
  assert.equal((await app.inject({ method: 'GET', url: '/admin' })).statusCode, 401);
});

void test('projectsVisible: the projects an action reaches for the caller', async () => {
  const { app } = appWith(false);
  const seen = async (headers: Record<string, string>) =>
    (await app.inject({ method: 'GET', url: '/list', headers })).json();
  assert.deepEqual(await seen(bearer('viewer', 'a,b')), { visible: ['a', 'b'] });
  assert.deepEqual(await seen(bearer('operator', '*')), { visible: '*' });
  assert.deepEqual(await seen({ authorization: `Bearer ${ADMIN_TOKEN}` }), { visible: '*' });
});
