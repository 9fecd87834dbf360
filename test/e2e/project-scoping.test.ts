/**
 * Project scoping end to end: a principal granted `read` on project alpha sees nothing of project bravo anywhere,
 * not in the Scrapyd API, its pages and trees, the REST API and its counts, nor the live tail. A question that
 * names bravo (or one of its jobs) gets exactly the answer a missing project or job gets.
 *
 * A real master with its embedded agent deploys real eggs and runs real crawls. The viewer is a user principal
 * given by a credential resolver, the master's extension point for kinds of credentials (auth/authenticator.ts):
 * the test's resolver maps one bearer string to `{kind:'user', grants: viewer of alpha}`. Once users exist, the
 * same test can log in a real viewer instead: only `viewerHeaders` changes.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Principal } from '../../packages/master/src/auth/principal.js';
import { loadMasterConfig } from '../../packages/master/src/config-load.js';
import { createLogger } from '../../packages/master/src/logger.js';
import { startStandalone } from '../../packages/master/src/standalone.js';
import { ScrapydClient } from '../helpers/clients.js';
import { buildEgg } from '../helpers/eggs.js';
import { request, RestClient } from '../helpers/http.js';
import { schedule, waitFinished } from '../helpers/jobs.js';
import { PYTHON } from '../helpers/python.js';
import { masterStore, testEachStore, type Store } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait.js';

const ADMIN = { username: 'admin', password: 'admin-secret' };
const VIEWER_TOKEN = 'viewer-of-alpha';
const VIEWER: Principal = {
  kind: 'user',
  userId: 'u-viewer',
  name: 'viewer',
  grants: [{ role: 'viewer', projects: ['alpha'] }],
};
const viewerHeaders = { authorization: `Bearer ${VIEWER_TOKEN}` };

/** A master whose only non-admin caller is the alpha viewer (the config's pair closes the open default). */
async function startScopedMaster(t: TestContext, store: Store) {
  const { dataDir, database } = await masterStore(t, store);
  const config = loadMasterConfig({
    env: {},
    flags: {
      dataDir,
      databaseUrl: database ?? '',
      httpPort: 0,
      bindAddress: '127.0.0.1',
      python: PYTHON,
      nodeName: 'test-node',
      ...ADMIN,
    },
  });
  const logger = await createLogger({ level: 'silent' }, 'json');
  const master = await startStandalone(config, logger, 'test', {
    resolvers: [{ bearer: async (token) => (token === VIEWER_TOKEN ? VIEWER : undefined) }],
  });
  return { url: `http://127.0.0.1:${master.port}`, stop: () => master.stop() };
}

testEachStore('a viewer of one project sees nothing of another', { timeout: 180_000 }, async (t, store) => {
  const master = await startScopedMaster(t, store);
  try {
    await scenario(master.url);
  } finally {
    await master.stop();
  }
});

async function scenario(url: string): Promise<void> {
  const admin = new ScrapydClient(url, ADMIN);
  const rest = new RestClient(url, { auth: ADMIN });
  const egg = await buildEgg('demo');
  for (const project of ['alpha', 'bravo']) {
    // The first deploy waits for the embedded agent to connect (it runs `scrapy list`).
    await waitFor(async () => ScrapydClient.ok(await admin.addVersion(project, '1', egg)), {
      timeoutMs: 60_000,
      what: `deploy of ${project}`,
    });
  }
  const alphaJob = await schedule(admin, { project: 'alpha', spider: 'quick' });
  const bravoJob = await schedule(admin, { project: 'bravo', spider: 'quick' });
  await waitFinished(admin, alphaJob);
  await waitFinished(admin, bravoJob);
  const at = { cron: '0 0 1 1 *' };
  const bravoSchedule = (await rest.ok('POST', '/api/v1/schedules', { project: 'bravo', spider: 'quick', ...at }))
    .id as string;
  await rest.ok('POST', '/api/v1/schedules', { project: 'alpha', spider: 'quick', ...at });
  const bravoRule = (
    (await rest.ok('POST', '/api/v1/alert-rules', {
      name: 'bravo broke',
      condition: { kind: 'job_outcome', project: 'bravo', spider: 'quick', outcomes: ['failed'] },
      channels: [],
    })) as { rule: { id: string } }
  ).rule.id;
  const bravoHook = (
    (await rest.ok('POST', '/api/v1/webhooks', {
      url: 'https://hooks.example.com/bravo',
      project: 'bravo',
      enabled: false,
    })) as { webhook: { id: string } }
  ).webhook.id;
  // The admin sees both projects: bravo is there to be hidden.
  assert.deepEqual((await admin.get('listprojects.json')).projects, ['alpha', 'bravo']);

  const asViewer = (path: string) => request(`${url}${path}`, { headers: viewerHeaders });
  const hidden = ['bravo', bravoJob, bravoSchedule, bravoRule, bravoHook];

  // Lists, counts, pages and trees: alpha's, and not a trace of bravo.
  const listings: Record<string, RegExp> = {
    '/listprojects.json': /"projects": \["alpha"\]/,
    '/listjobs.json': new RegExp(alphaJob),
    '/daemonstatus.json': /"finished": 1/,
    '/jobs': new RegExp(alphaJob),
    '/': /alpha/,
    '/logs/': /alpha\//,
    '/items/': /alpha\//,
    '/api/v1/jobs': new RegExp(alphaJob),
    '/api/v1/jobs?state=finished&limit=1': new RegExp(alphaJob),
    '/api/v1/schedules': /"project":"alpha"/,
    '/api/v1/alert-rules': /"rules":\[\]/,
    '/api/v1/alerts': /"alerts":\[\]/,
    '/api/v1/webhooks': /"webhooks":\[\]/,
    '/api/v1/channels': /"channels":\[\]/,
  };
  for (const [path, shows] of Object.entries(listings)) {
    const r = await asViewer(path);
    assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 300)}`);
    assert.match(r.text, shows, path);
    for (const h of hidden) assert.ok(!r.text.includes(h), `${path} shows ${h}:\n${r.text.slice(0, 2000)}`);
  }

  // Questions naming bravo or its things: the very answer a missing one gets (`$` is where the name goes).
  const noJob = 'f'.repeat(32);
  const named: [string, string, string][] = [
    ['/listjobs.json?project=$', 'bravo', 'ghost'],
    ['/listversions.json?project=$', 'bravo', 'ghost'],
    ['/listspiders.json?project=$', 'bravo', 'ghost'],
    ['/status.json?job=$', bravoJob, noJob],
    ['/logs/$', 'bravo', 'ghost'],
    ['/logs/$/', 'bravo', 'ghost'],
    [`/logs/$/quick/${bravoJob}.log`, 'bravo', 'ghost'],
    ['/items/$/quick/', 'bravo', 'ghost'],
    ['/api/v1/jobs?project=$', 'bravo', 'ghost'],
    ['/api/v1/jobs/$', bravoJob, noJob],
    ['/api/v1/jobs/$/stats', bravoJob, noJob],
    ['/api/v1/jobs/$/metrics', bravoJob, noJob],
    ['/api/v1/jobs/$/log/stream', bravoJob, noJob],
    ['/api/v1/schedules/$', bravoSchedule, 'sch_missing'],
    ['/api/v1/schedules/$/fires', bravoSchedule, 'sch_missing'],
    ['/api/v1/alert-rules/$', bravoRule, 'ar_missing'],
    ['/api/v1/webhooks/$', bravoHook, 'wh_missing'],
    ['/api/v1/webhooks/$/deliveries', bravoHook, 'wh_missing'],
  ];
  for (const [path, secret, missing] of named) {
    const shown = await asViewer(path.replace('$', secret));
    const absent = await asViewer(path.replace('$', missing));
    const masked = (text: string, name: string) => text.split(name).join('<name>');
    assert.equal(shown.status, absent.status, path);
    assert.equal(masked(shown.text, secret), masked(absent.text, missing), path);
  }

  // What the viewer may read, it reads: alpha's job, its stats and its whole log through the live tail.
  const alphaDetail = await asViewer(`/api/v1/jobs/${alphaJob}`);
  assert.equal(alphaDetail.status, 200, alphaDetail.text);
  const tail = await asViewer(`/api/v1/jobs/${alphaJob}/log/stream`);
  assert.equal(tail.status, 200);
  assert.match(tail.text, /event: end/);
}
