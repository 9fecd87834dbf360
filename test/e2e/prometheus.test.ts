/**
 * Prometheus /metrics, end to end: real crawls that succeed and fail, a schedule that fires, and the embedded
 * agent's host samples, read back from the exposition through a real text-format parser: finishes by outcome,
 * items, requests and responses equal to the crawls' own final stats, dispatch latency per started job, agents,
 * slots, host gauges, schedule fires equal to the schedule's ledger, and no label that names a job or a run. Access
 * follows the REST API's reads, or the separate scrape token. The Grafana dashboard shipped in deploy/ queries only
 * metrics a master exports.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { JobStatsResponse } from '@scrapyard/protocol';
import { ScrapydClient } from '../helpers/clients.js';
import { request, RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { adminTokenFor, startMaster } from '../helpers/processes.js';
import {
  family,
  histogram,
  labelNames,
  sampleNames,
  scrape,
  scrapeParsed,
  value,
  type Exposition,
} from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USER = { username: 'scrapy', password: 'yard-pass' };
const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';
const FORBIDDEN_LABELS = /^(job|job_id|jobid|run|run_id|runid)$/i;

void test('/metrics counts real crawls, schedule fires and nodes; access is the REST reads or the scrape token', async (t) => {
  const master = await startMaster(t, {
    env: {
      SCRAPYD_USERNAME: USER.username,
      SCRAPYD_PASSWORD: USER.password,
      SCRAPYARD_METRICS_TOKEN: METRICS_TOKEN,
      SCRAPYARD_MAX_PROC: '3',
    },
  });
  const api = new ScrapydClient(master.url, USER);
  const rest = new RestClient(master.url, { auth: USER });
  const asScraper = { bearer: METRICS_TOKEN };

  // Access: as the REST API's reads (basic auth here, or the admin token), or the scrape token; nothing else.
  assert.equal((await scrape(master.url)).status, 401, 'no credentials');
  const refused = await request(`${master.url}/metrics`, { bearer: `${METRICS_TOKEN}x` });
  assert.equal(refused.status, 401, 'a wrong token');
  assert.match(refused.headers.get('www-authenticate') ?? '', /Bearer/);
  assert.equal((await scrape(master.url, { auth: { ...USER, password: 'wrong' } })).status, 401, 'a wrong password');
  assert.equal((await scrape(master.url, asScraper)).status, 200, 'the scrape token');
  assert.equal((await scrape(master.url, { auth: USER })).status, 200, 'basic auth');
  assert.equal((await scrape(master.url, { bearer: adminTokenFor(master.url)! })).status, 200, 'the admin token');
  // The scrape token opens /metrics only.
  assert.equal((await request(`${master.url}/api/v1/jobs`, asScraper)).status, 403);
  assert.equal((await request(`${master.url}/listjobs.json`, asScraper)).status, 401);
  assert.doesNotMatch(master.output(), new RegExp(METRICS_TOKEN), 'the token is never logged');

  const slots = 3;
  const initial = await scrapeParsed(master.url, asScraper);
  assert.equal(value(initial, 'scrapyard_agents_online'), 1);
  assert.equal(value(initial, 'scrapyard_agents_online', { kind: 'embedded' }), 1);
  assert.equal(value(initial, 'scrapyard_node_slots_free', { node: 'local' }), slots);
  assert.equal(value(initial, 'scrapyard_node_slots_used', { node: 'local' }), 0);
  assert.equal(value(initial, 'scrapyard_jobs_finished_total'), 0);
  // The master's own process metrics come along.
  assert.ok(value(initial, 'process_resident_memory_bytes') > 0);

  // Crawls: two that succeed with items, one whose spider fails (exit 0, errors), one that crashes (failed).
  await deploy(api);
  const quick = [await schedule(api, { project: 'demo', spider: 'quick' })];
  quick.push(await schedule(api, { project: 'demo', spider: 'quick', arg: 'x' }));
  const fails = await schedule(api, { project: 'demo', spider: 'fails' });
  const crash = await schedule(api, { project: 'demo', spider: 'crash' });
  const outcomes = new Map<string, string | null>();
  for (const id of [...quick, fails, crash]) outcomes.set(id, (await waitFinished(api, id)).outcome);
  assert.deepEqual([...outcomes.values()], ['succeeded', 'succeeded', 'succeeded', 'failed']);

  // Live stats' final snapshots: what the crawl counters must add up to (per spider).
  const finalStats = async (jobid: string) =>
    waitFor(
      async () => {
        const s = JobStatsResponse.parse(await rest.get(`/api/v1/jobs/${jobid}/stats?project=demo`));
        return s.summary?.final ? s.summary : undefined;
      },
      { what: `final stats of ${jobid}` },
    );
  const quickStats = await Promise.all(quick.map(finalStats));
  const failsStats = await finalStats(fails);
  const sum = (xs: { items: number; requests: number; responses: { total: number }; errors: number }[]) => ({
    items: xs.reduce((n, s) => n + s.items, 0),
    requests: xs.reduce((n, s) => n + s.requests, 0),
    responses: xs.reduce((n, s) => n + s.responses.total, 0),
    errors: xs.reduce((n, s) => n + s.errors, 0),
  });
  const wantQuick = sum(quickStats);
  const wantFails = sum([failsStats]);
  assert.equal(wantQuick.items, 6, 'quick yields 3 items per crawl');
  assert.ok(wantFails.errors >= 1, 'the fails spider logs an error');

  const crawlCounters = (e: Exposition, spider: string) => ({
    items: value(e, 'scrapyard_crawl_items_total', { project: 'demo', spider }),
    requests: value(e, 'scrapyard_crawl_requests_total', { project: 'demo', spider }),
    responses: value(e, 'scrapyard_crawl_responses_total', { project: 'demo', spider }),
    errors: value(e, 'scrapyard_crawl_errors_total', { project: 'demo', spider }),
  });
  const after = await waitFor(
    async () => {
      const e = await scrapeParsed(master.url, asScraper);
      return crawlCounters(e, 'quick').items >= wantQuick.items && crawlCounters(e, 'fails').errors >= 1
        ? e
        : undefined;
    },
    { what: 'crawl counters to reach the final stats' },
  );
  assert.deepEqual(crawlCounters(after, 'quick'), wantQuick);
  assert.deepEqual(crawlCounters(after, 'fails'), wantFails);

  assert.equal(value(after, 'scrapyard_jobs_finished_total', { spider: 'quick', outcome: 'succeeded' }), 2);
  assert.equal(value(after, 'scrapyard_jobs_finished_total', { spider: 'fails', outcome: 'succeeded' }), 1);
  assert.equal(value(after, 'scrapyard_jobs_finished_total', { spider: 'crash', outcome: 'failed' }), 1);
  assert.equal(value(after, 'scrapyard_jobs_finished_total', { project: 'demo' }), 4);
  assert.equal(value(after, 'scrapyard_jobs_finished_total', { outcome: 'failed' }), 1);
  // Every crawl process started (even the one that crashed while starting): one latency each, none negative.
  const dispatch = histogram(after, 'scrapyard_job_dispatch_latency_seconds');
  assert.equal(dispatch.count, 4);
  assert.ok(dispatch.sum >= 0 && dispatch.sum < 4 * 120, `dispatch latency sum ${dispatch.sum} s`);
  assert.equal(value(after, 'scrapyard_jobs', { state: 'pending' }), 0);
  assert.equal(value(after, 'scrapyard_jobs', { state: 'running' }), 0);
  assert.equal(value(after, 'scrapyard_node_slots_used', { node: 'local' }), 0);
  assert.equal(value(after, 'scrapyard_node_slots_free', { node: 'local' }), slots);

  // Host gauges of the embedded agent, from its latest host sample (one every few seconds).
  const host = await waitFor(
    async () => {
      const e = await scrapeParsed(master.url, { auth: USER });
      return family(e, 'scrapyard_node_cpus').samples.length > 0 ? e : undefined;
    },
    { what: 'host gauges of the local node' },
  );
  const local = { node: 'local' };
  assert.ok(value(host, 'scrapyard_node_cpus', local) >= 1);
  const cpu = value(host, 'scrapyard_node_cpu_usage_ratio', local);
  assert.ok(cpu >= 0 && cpu <= 1, `cpu ratio ${cpu}`);
  assert.ok(
    value(host, 'scrapyard_node_memory_total_bytes', local) >= value(host, 'scrapyard_node_memory_used_bytes', local),
  );
  assert.ok(value(host, 'scrapyard_node_memory_used_bytes', local) > 0);
  assert.ok(
    value(host, 'scrapyard_node_disk_total_bytes', local) >= value(host, 'scrapyard_node_disk_used_bytes', local),
  );
  assert.ok(value(host, 'scrapyard_node_disk_total_bytes', local) > 0);
  assert.ok(value(host, 'scrapyard_node_load1', local) >= 0);
  const sampledAt = value(host, 'scrapyard_node_host_sample_timestamp_seconds', local);
  assert.ok(Math.abs(Date.now() / 1000 - sampledAt) < 120, `sample time ${sampledAt}`);

  // A schedule fires every 2 s for a while; the counter by status matches its ledger.
  const sched = await rest.ok('POST', '/api/v1/schedules', {
    project: 'demo',
    spider: 'quick',
    cron: null,
    intervalSeconds: 2,
  });
  type Fire = { status: string; trigger: string };
  const ledger = async () => (await rest.get(`/api/v1/schedules/${String(sched.id)}/fires?limit=1000`)).fires as Fire[];
  await waitFor(async () => (await ledger()).length >= 2, { timeoutMs: 30_000, what: 'two schedule fires' });
  await rest.ok('POST', `/api/v1/schedules/${String(sched.id)}/pause`);
  // The ledger and the counters, read together: a fire in progress at the pause settles, and a paused schedule
  // goes on recording its on-time fires as skipped. A scrape between two equal reads of a ledger whose fires have
  // all settled sees exactly those fires.
  const { fires, fired } = await waitFor(
    async () => {
      const before = await ledger();
      const scraped = await scrapeParsed(master.url, asScraper);
      const after = await ledger();
      const settled = before.every((f) => f.status !== 'claimed');
      return settled && JSON.stringify(before) === JSON.stringify(after) && { fires: before, fired: scraped };
    },
    { what: 'the schedule ledger to hold still across a scrape, every fire settled' },
  );
  for (const status of ['queued', 'waiting', 'skipped', 'failed']) {
    assert.equal(
      value(fired, 'scrapyard_schedule_fires_total', { status }),
      fires.filter((f) => f.status === status).length,
      `fires ${status}`,
    );
  }
  assert.ok(value(fired, 'scrapyard_schedule_fires_total', { status: 'queued' }) >= 1);
  const lag = histogram(fired, 'scrapyard_schedule_lag_seconds');
  assert.equal(lag.count, fires.length);
  assert.ok(lag.sum >= 0 && lag.sum / lag.count < 5, `schedule lag ${lag.sum} s over ${lag.count} fires`);

  // No label anywhere names a job or a run (Prometheus would keep a series per crawl forever).
  for (const f of fired.families) {
    for (const label of labelNames(f)) assert.doesNotMatch(label, FORBIDDEN_LABELS, `${f.name} has a label ${label}`);
  }
  for (const id of [...quick, fails, crash]) assert.ok(!fired.text.includes(id), `job id ${id} appears in /metrics`);
});

/** Metric names a PromQL expression selects (Grafana's own variables replaced first, as Grafana does). */
function metricNamesOf(expr: string): string[] {
  const promql = expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?\w+\}?/g, 'x'); // dashboard variables only appear inside label matchers' strings
  const tree = parser.parse(promql);
  const names: string[] = [];
  let errors = 0;
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors++;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.push(promql.slice(node.from, node.to));
      }
    },
  });
  assert.equal(errors, 0, `not valid PromQL: ${expr}`);
  return names;
}

interface Panel {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}

void test('the Grafana dashboard: a data-source variable, and queries of metrics this master exports only', async (t) => {
  const master = await startMaster(t, { args: ['--no-local-agent'] });
  const exported = sampleNames(await scrapeParsed(master.url));
  assert.ok(exported.has('scrapyard_job_dispatch_latency_seconds_bucket'));

  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/scrapyard.json'), 'utf8')) as {
    title: string;
    uid: string;
    panels: Panel[];
    templating: { list: { type: string; name: string; query: unknown; datasource?: { uid?: string } }[] };
  };
  const variables = dashboard.templating.list;
  const ds = variables.find((v) => v.type === 'datasource');
  assert.ok(ds, 'a data-source variable');
  assert.equal(ds.query, 'prometheus');
  const dsRef = `\${${ds.name}}`;

  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
  assert.ok(panels.length >= 15, `${panels.length} panels`);
  const used = new Set<string>();
  for (const p of panels) {
    assert.equal(p.datasource?.uid, dsRef, `panel "${p.title}" uses the data-source variable`);
    assert.ok(p.targets && p.targets.length > 0, `panel "${p.title}" has queries`);
    for (const target of p.targets) {
      assert.equal(target.datasource?.uid ?? dsRef, dsRef, `a query of "${p.title}" uses the data-source variable`);
      const names = metricNamesOf(target.expr ?? '');
      assert.ok(names.length > 0, `"${p.title}": ${target.expr} selects a metric`);
      for (const name of names) {
        assert.ok(exported.has(name), `panel "${p.title}" queries ${name}, which the master does not export`);
        used.add(name);
      }
    }
  }
  // Query variables: label_values(metric, label) of an exported metric and label.
  for (const v of variables.filter((x) => x.type === 'query')) {
    assert.equal(v.datasource?.uid, dsRef, `variable ${v.name} uses the data-source variable`);
    const q = typeof v.query === 'string' ? v.query : (v.query as { query: string }).query;
    const m = /^label_values\((\w+),\s*(\w+)\)$/.exec(q);
    assert.ok(m, `variable ${v.name}: ${q}`);
    assert.ok(exported.has(m[1]!), `variable ${v.name} reads ${m[1]}, which the master does not export`);
  }
  // The main metrics each have a panel.
  for (const name of [
    'scrapyard_jobs',
    'scrapyard_jobs_finished_total',
    'scrapyard_job_dispatch_latency_seconds_bucket',
    'scrapyard_schedule_lag_seconds_bucket',
    'scrapyard_schedule_fires_total',
    'scrapyard_agents_online',
    'scrapyard_node_slots_used',
    'scrapyard_node_slots_free',
    'scrapyard_node_cpu_usage_ratio',
    'scrapyard_node_memory_used_bytes',
    'scrapyard_node_disk_used_bytes',
    'scrapyard_node_load1',
    'scrapyard_crawl_items_total',
    'scrapyard_crawl_requests_total',
    'scrapyard_crawl_errors_total',
    'scrapyard_deliveries_total',
    'scrapyard_alerts_firing',
  ]) {
    assert.ok(used.has(name), `no panel shows ${name}`);
  }
});
