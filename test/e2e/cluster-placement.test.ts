/**
 * Placement across three real agents tagged [eu], [us] and [eu, gpu] (the last one dedicated): `_tags`, pending
 * reasons, dedicated nodes never taking untagged work, spreading by free slots, cordon/uncordon, project and
 * spider policies (tags, maxRunning).
 */
import assert from 'node:assert/strict';
import { ScrapydClient } from '../helpers/clients.js';
import { runCli, startAgent } from '../helpers/agents.js';
import { jobInfo, nodeInfo, rawJobs, softChecks, startCluster, waitState, type JobEntry } from '../helpers/cluster.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { masterStore, testEachStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait.js';

testEachStore(
  'placement: tags, dedicated, spreading, full, cordon, policies and caps',
  { timeout: 240_000 },
  async (t, store) => {
    const { url, api, rest } = await startCluster(t, await masterStore(t, store));
    const soft = softChecks(t);
    await Promise.all([
      startAgent(t, { master: { url }, nodeId: 'p-eu', tags: ['eu'], slots: 2 }),
      startAgent(t, { master: { url }, nodeId: 'p-us', tags: ['us'], slots: 2 }),
      startAgent(t, { master: { url }, nodeId: 'p-gpu', tags: ['eu', 'gpu'], slots: 2, dedicated: true }),
    ]);
    await deploy(api);
    const finishedEntry = async (id: string): Promise<JobEntry> => {
      const f = await waitFinished(api, id);
      const entry = (await rawJobs(api)).finished.find((j) => j.id === id)!;
      assert.equal(f.outcome, 'succeeded', `job ${id} should succeed`);
      return entry;
    };

    // _tags=gpu: only the gpu node; the tags are reported and are not a spider argument.
    const g1 = await schedule(api, { project: 'demo', spider: 'quick', _tags: 'gpu', jobid: 'g1' });
    const g2 = await schedule(api, { project: 'demo', spider: 'quick', _tags: 'gpu,eu', jobid: 'g2' });
    for (const id of [g1, g2]) {
      const e = await finishedEntry(id);
      assert.equal(e.node_id, 'p-gpu', `${id} ran on the gpu node`);
      soft.check('listjobs finished entries carry tags', () =>
        assert.ok(e.tags?.includes('gpu'), `${id} carries its tags: ${JSON.stringify(e.tags)}`),
      );
    }
    const g1Items = (await api.raw('GET', `/items/demo/quick/${g1}.jl`)).text;
    assert.doesNotMatch(g1Items, /gpu/, '_tags is not passed to the spider');

    // A tag nobody has: pending, and it says why (listjobs and REST).
    const orphan = await schedule(api, { project: 'demo', spider: 'quick', _tags: 'nosuch', jobid: 'orphan' });
    const pendingOrphan = await waitState(api, orphan, 'pending');
    assert.equal(pendingOrphan.pending_reason, 'no online agent has tags [nosuch]');
    assert.deepEqual(pendingOrphan.tags, ['nosuch']);
    const orphanInfo = await jobInfo(rest, orphan);
    assert.deepEqual(
      { state: orphanInfo.state, pendingReason: orphanInfo.pendingReason, nodeId: orphanInfo.nodeId },
      { state: 'pending', pendingReason: 'no online agent has tags [nosuch]', nodeId: null },
    );

    // Spreading: 4 untagged slow jobs on the two untagged-capable agents (2 slots each) land 2 + 2.
    const slowIds = ['s1', 's2', 's3', 's4'];
    for (const jobid of slowIds) await schedule(api, { project: 'demo', spider: 'slow', seconds: '8', jobid });
    const running = await Promise.all(slowIds.map((id) => waitState(api, id, 'running')));
    const perNode = (entries: JobEntry[]) =>
      entries.reduce<Record<string, number>>(
        (m, e) => ({ ...m, [String(e.node_id)]: (m[String(e.node_id)] ?? 0) + 1 }),
        {},
      );
    assert.deepEqual(perNode(running), { 'p-eu': 2, 'p-us': 2 });
    assert.equal((await nodeInfo(rest, 'p-eu')).running, 2);

    // Both full: an untagged job waits (the dedicated gpu node has free slots but takes no untagged work).
    const q5 = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'q5' });
    const pending5 = await waitState(api, q5, 'pending');
    assert.equal(pending5.pending_reason, 'all 2 matching agents are full');
    assert.equal((await jobInfo(rest, q5)).pendingReason, 'all 2 matching agents are full');

    // Cordon p-eu: its running jobs go on, but it takes nothing new, so q5 waits for p-us.
    const cordon = await runCli('master', ['node', 'cordon', 'p-eu', '--url', url]);
    assert.equal(cordon.code, 0, cordon.all);
    assert.equal((await nodeInfo(rest, 'p-eu')).cordoned, true);
    assert.match(String((await waitState(api, q5, 'pending')).pending_reason), /full/);
    for (const id of slowIds) await finishedEntry(id);
    const q5Done = await finishedEntry(q5);
    assert.equal(q5Done.node_id, 'p-us', 'the cordoned node got no new job');

    // Everything cordoned: the reason says so; uncordon resumes placement there.
    const cordonUs = await rest.call('POST', '/api/v1/nodes/p-us/cordon');
    assert.equal(cordonUs.status, 200, cordonUs.text);
    assert.equal(cordonUs.json.cordoned, true);
    const q6 = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'q6' });
    assert.equal((await waitState(api, q6, 'pending')).pending_reason, 'all 2 matching agents are cordoned');
    const uncordon = await runCli('master', ['node', 'uncordon', 'p-eu', '--url', url]);
    assert.equal(uncordon.code, 0, uncordon.all);
    assert.equal((await finishedEntry(q6)).node_id, 'p-eu');
    assert.equal((await rest.ok('POST', '/api/v1/nodes/p-us/uncordon')).cordoned, false);

    // Project policy tags apply to schedule without _tags; a spider policy overrides them; _tags overrides both.
    const put = await rest.ok('PUT', '/api/v1/projects/demo/policy', { tags: ['us'] });
    assert.deepEqual(put.tags, ['us']);
    assert.deepEqual((await rest.get('/api/v1/projects/demo/policy')).tags, ['us']);
    const pol1 = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'pol1' });
    const pol1Done = await finishedEntry(pol1);
    assert.equal(pol1Done.node_id, 'p-us');
    soft.check('policy tags are recorded on the job', () => assert.deepEqual(pol1Done.tags, ['us']));
    await rest.ok('PUT', '/api/v1/projects/demo/spiders/quick/policy', { tags: ['gpu'] });
    assert.equal(
      (await finishedEntry(await schedule(api, { project: 'demo', spider: 'quick', jobid: 'pol2' }))).node_id,
      'p-gpu',
    );
    const pol3 = await schedule(api, { project: 'demo', spider: 'quick', _tags: 'us', jobid: 'pol3' });
    assert.equal((await finishedEntry(pol3)).node_id, 'p-us');
    const bad = await rest.call('PUT', '/api/v1/projects/demo/policy', { maxRunning: 0 });
    assert.equal(bad.status, 400, bad.text);
    await rest.ok('PUT', '/api/v1/projects/demo/spiders/quick/policy', { tags: null });
    await rest.ok('PUT', '/api/v1/projects/demo/policy', { tags: null });

    // maxRunning per spider: a second slow job waits for the first; other spiders are not held back.
    await rest.ok('PUT', '/api/v1/projects/demo/spiders/slow/policy', { maxRunning: 1 });
    assert.equal((await rest.get('/api/v1/projects/demo/spiders/slow/policy')).maxRunning, 1);
    const m1 = await schedule(api, { project: 'demo', spider: 'slow', seconds: '8', jobid: 'm1' });
    const m2 = await schedule(api, { project: 'demo', spider: 'slow', seconds: '2', jobid: 'm2' });
    await waitState(api, m1, 'running');
    const held = await waitState(api, m2, 'pending');
    assert.equal(held.pending_reason, 'spider slow is at its limit of 1 running jobs');
    const other = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'not-capped' });
    await waitFinished(api, other);
    assert.equal((await waitState(api, m2, 'pending', 1_000)).id, m2, 'm2 still waits while m1 runs');
    const m1Done = await finishedEntry(m1);
    const m2Done = await finishedEntry(m2);
    assert.ok(String(m2Done.start_time) >= String(m1Done.end_time), 'm2 started only after m1 ended');

    // maxRunning per project: every spider of the project counts against it.
    await rest.ok('PUT', '/api/v1/projects/demo/spiders/slow/policy', { maxRunning: null });
    await rest.ok('PUT', '/api/v1/projects/demo/policy', { maxRunning: 1 });
    const c1 = await schedule(api, { project: 'demo', spider: 'slow', seconds: '4', jobid: 'c1' });
    await waitState(api, c1, 'running');
    const c2 = await schedule(api, { project: 'demo', spider: 'quick', jobid: 'c2' });
    assert.equal(
      (await waitState(api, c2, 'pending')).pending_reason,
      'project demo is at its limit of 1 running jobs',
    );
    const c1Done = await finishedEntry(c1);
    const c2Done = await finishedEntry(c2);
    assert.ok(String(c2Done.start_time) >= String(c1Done.end_time), 'c2 started only after c1 ended');
    await rest.ok('PUT', '/api/v1/projects/demo/policy', { maxRunning: null });

    // The orphan is still pending; cancelling it leaves nothing behind.
    assert.equal((await waitState(api, orphan, 'pending')).pending_reason, 'no online agent has tags [nosuch]');
    ScrapydClient.ok(await api.post('cancel.json', { project: 'demo', job: orphan }));

    // No untagged job ever ran on the dedicated node.
    const all = await rawJobs(api);
    const untagged = new Set([...slowIds, 'q5', 'q6', 'not-capped', 'm1', 'm2', 'c1', 'c2']);
    const untaggedOnGpu = all.finished.filter((j) => untagged.has(j.id) && j.node_id === 'p-gpu');
    assert.deepEqual(untaggedOnGpu, []);
    assert.equal(all.finished.filter((j) => untagged.has(j.id)).length, untagged.size);
    await waitFor(async () => (await rawJobs(api)).pending.length === 0, { what: 'an empty queue' });
    soft.done();
  },
);
