/**
 * The live event stream (GET /api/v1/events) against a real master with its embedded agent and real crawls: a
 * viewer of project alpha sees its job go queued → started → finished and nothing of project bravo (the admin's
 * stream, which sees both, is the reference); a reconnect with Last-Event-ID gets exactly the events it missed; an
 * id of another stream gets `reset`; revoking the viewer's token ends its stream with `end`; stopping the master ends the
 * streams still open.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreatedApiToken } from '@scrapyard/protocol';
import { ScrapydClient } from '../helpers/clients.js';
import { RestClient } from '../helpers/http.js';
import { buildEgg } from '../helpers/eggs.js';
import { schedule } from '../helpers/jobs.js';
import { LiveReader, ofJob, type LiveMessage } from '../helpers/live-events.js';
import { startMaster } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const ADMIN = { username: 'admin', password: 'the-admin-pass' };
const asAdmin = { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` };
const seq = (m: LiveMessage) => Number(m.id!.split('-')[1]);

void test('a viewer sees its project live, resumes without a gap, and its stream ends when revoked', async (t) => {
  const master = await startMaster(t, {
    env: { SCRAPYARD_USERNAME: ADMIN.username, SCRAPYARD_PASSWORD: ADMIN.password },
  });
  const api = new ScrapydClient(master.url, ADMIN);
  const admin = new RestClient(master.url, { auth: ADMIN });
  const token = CreatedApiToken.parse(
    await admin.ok('POST', '/api/v1/tokens', { name: 'alpha-viewer', role: 'viewer', projects: ['alpha'] }),
  );
  const asViewer = { authorization: `Bearer ${token.secret}` };

  assert.equal((await LiveReader.open(master.url, {})).status, 401, 'a stranger gets no stream');
  const all = await LiveReader.open(master.url, asAdmin);
  const viewer = await LiveReader.open(master.url, asViewer);
  for (const s of [all, viewer]) {
    const first = await s.waitFor('the stream to be ready', () => true);
    assert.deepEqual([first.event, first.data], ['ready', { resumed: false }]);
  }

  // The first deploy waits for the embedded agent to connect (it runs `scrapy list`).
  const egg = await buildEgg('demo');
  for (const project of ['alpha', 'bravo']) {
    await waitFor(async () => ScrapydClient.ok(await api.addVersion(project, '1', egg)), {
      timeoutMs: 60_000,
      what: `deploy of ${project}`,
    });
  }
  const a1 = await schedule(api, { project: 'alpha', spider: 'quick' });
  const b1 = await schedule(api, { project: 'bravo', spider: 'quick' });
  const order = ['job.queued', 'job.started', 'job.finished'];
  for (const type of order) await viewer.waitFor(`${type} of ${a1}`, ofJob(a1, type));
  await all.waitFor(`the finish of ${b1}`, ofJob(b1, 'job.finished'));
  const a1Types = viewer
    .events()
    .filter(ofJob(a1))
    .map((m) => m.event);
  assert.deepEqual(
    a1Types.filter((x) => order.includes(x)),
    order,
    'queued, started, finished, in that order',
  );
  assert.ok(
    viewer.events().every((m) => m.data.project === 'alpha'),
    `the alpha viewer sees alpha only: ${JSON.stringify(viewer.events().map((m) => [m.event, m.data.project]))}`,
  );
  assert.ok(all.events().some(ofJob(b1, 'job.queued')), 'the admin sees bravo');
  // The same events, with the same ids, as the admin's stream of alpha (nothing lost, nothing added).
  const alphaOfAll = (after: number, upTo: number) =>
    all
      .events()
      .filter((m) => m.data.project === 'alpha' && seq(m) > after && seq(m) <= upTo)
      .map((m) => `${m.id} ${m.event}`);
  const seen = viewer.events().map((m) => `${m.id} ${m.event}`);
  assert.deepEqual(seen, alphaOfAll(0, seq(viewer.events().at(-1)!)));

  // Dropped, then back with its last id: exactly what it missed, then live.
  const resumeFrom = viewer.lastId();
  viewer.close();
  const a2 = await schedule(api, { project: 'alpha', spider: 'quick' });
  const a2Done = await all.waitFor(`the finish of ${a2}`, ofJob(a2, 'job.finished'));
  const back = await LiveReader.open(master.url, { ...asViewer, 'last-event-id': resumeFrom });
  await back.waitFor(`the replayed finish of ${a2}`, ofJob(a2, 'job.finished'));
  assert.deepEqual(
    [back.messages[0]!.event, back.messages[0]!.data, back.messages[0]!.id],
    ['ready', { resumed: true }, resumeFrom],
  );
  const replayed = back
    .events()
    .filter((m) => seq(m) <= seq(a2Done))
    .map((m) => `${m.id} ${m.event}`);
  assert.deepEqual(replayed, alphaOfAll(Number(resumeFrom.split('-')[1]), seq(a2Done)));
  assert.ok(replayed.length >= 3, `the missed job's events were replayed: ${replayed.join(', ')}`);

  // An id of another stream (a restarted master's): reset, then live.
  const stale = await LiveReader.open(master.url, asViewer, '?lastEventId=zzzz-12');
  const reset = await stale.waitFor('a reset', () => true);
  assert.deepEqual([reset.event, reset.data], ['reset', { reason: 'restarted' }]);
  assert.match(reset.id!, /^[0-9a-z]+-\d+$/);

  // Revoked: both of the viewer's streams end, told not to come back; the admin's goes on.
  await admin.ok('DELETE', `/api/v1/tokens/${token.token.id}`);
  for (const s of [back, stale]) {
    await s.waitEnded('the revoked token’s stream to end');
    assert.deepEqual(s.messages.at(-1)?.data, { reason: 'access-gone' });
    assert.equal(s.messages.at(-1)?.event, 'end');
  }
  assert.equal(all.ended, false);
  assert.equal((await LiveReader.open(master.url, asViewer)).status, 401);
  // A stopping master ends the streams still open and exits cleanly.
  await master.assertCleanStop();
  await all.waitEnded('the admin stream to end at shutdown');
});
