/**
 * The admin commands' contract, run as a user runs them: `packages/master/bin/scrapyard-master.mjs` by absolute path
 * from a directory outside the repository whose `scrapyd.conf` (discovered there) names the master, so no `--url`.
 * Every command's --help exits 0 in the one format; --json answers parse with the protocol's schemas; an error
 * carries its catalogue code; a schedule (and a webhook, channel, alert rule) is addressed by name and by id;
 * durations as 90, 90s, 5m, 2h.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AlertPage,
  AlertRuleList,
  AlertRuleResponse,
  ChannelList,
  ChannelWithSecret,
  DeliveryPage,
  EnrollmentResponse,
  FirePage,
  FireTimes,
  NodeInfo,
  PlacementPolicy,
  Schedule,
  WebhookList,
  WebhookWithSecret,
} from '@scrapyard/protocol';
import { z, type ZodType } from 'zod';
import { ScrapydClient } from '../helpers/clients.js';
import { deploy } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';

const BIN = fileURLToPath(new URL('../../packages/master/bin/scrapyard-master.mjs', import.meta.url));
const COMMANDS = ['node', 'schedule', 'policy', 'webhook', 'channel', 'alert', 'session'];
const Deleted = z.object({ deleted: z.string() });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

void test('the admin commands from a directory of their own: help, --json, error codes, names, durations', async (t) => {
  const master = await startMaster(t);
  const cwd = tempDir(t, 'scrapyard-cli-contract-');
  writeFileSync(
    join(cwd, 'scrapyd.conf'),
    `[scrapyd]\nhttp_port = ${master.port}\n\n[scrapyard]\ndata_dir = ${master.dataDir}\n`,
  );
  // The user's environment, without this test run's SCRAPYARD_* variables; the config found in the cwd only.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SCRAPYARD_')));
  const cli = (...args: string[]) =>
    new Promise<Run>((resolve, reject) => {
      const p = spawn(process.execPath, [BIN, ...args], {
        cwd,
        env: { ...env, SCRAPYARD_CONFIG_SEARCH: 'scrapyd.conf' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      p.on('error', reject);
      p.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  /** Runs with --json and parses the answer with `schema`. */
  const json = async <T>(schema: ZodType<T>, ...args: string[]): Promise<T> => {
    const r = await cli(...args, '--json');
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return schema.parse(JSON.parse(r.stdout));
  };
  const near = (at: number, seconds: number) =>
    assert.ok(Math.abs(at - (Date.now() + seconds * 1000)) < 120_000, `${at} is about ${seconds} s from now`);

  // Independent parts run side by side (each command is a process of its own); schedules wait for the deploy.
  const deployed = deploy(new ScrapydClient(master.url), 'demo');
  await Promise.all([help(), nodes(), policies(), targets(), deployed.then(schedules)]);

  /** Help: one format for every command; a typed flag of the master's own. */
  async function help() {
    await Promise.all(
      COMMANDS.map(async (name) => {
        const r = await cli(name, '--help');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^Usage: scrapyard-master ${name} <command> \\[options\\]\\n\\n`));
        assert.match(r.stdout, /\n\nCommands:\n {2}\S/);
        assert.match(r.stdout, new RegExp(`\\n\\nOptions \\(every ${name} command\\):\\n {2}--config FILE`));
      }),
    );
    const top = await cli('--help');
    assert.equal(top.code, 0, top.stderr);
    for (const name of COMMANDS) assert.match(top.stdout, new RegExp(`\\(see scrapyard-master ${name} --help\\)`));
    const port = await cli('--port', 'abc');
    assert.deepEqual([port.code, port.stderr.split('\n')[0]], [2, "scrapyard-master: --port: not a number ('abc')"]);
  }

  /** Nodes: an enrollment valid 2h. */
  async function nodes() {
    near((await json(EnrollmentResponse, 'node', 'enroll', '--ttl', '2h')).expiresAt, 7200);
    assert.ok((await json(z.array(NodeInfo), 'node', 'list')).some((n) => n.nodeId === 'local'));
  }

  /** Schedules: durations everywhere, addressed by name and by id, an unknown name refused with its code. */
  async function schedules() {
    const preview = await json(FireTimes, 'schedule', 'preview', '--every', '90', '--count', '2');
    assert.equal(preview.fires[1]!.at - preview.fires[0]!.at, 90_000);
    const created = await json(
      Schedule,
      ...['schedule', 'create', '--name', 'nightly', '--project', 'demo', '--spider', 'quick', '--every', '90s'],
    );
    assert.equal(created.intervalSeconds, 90);
    const [byName, byId] = await Promise.all([
      json(Schedule, 'schedule', 'update', 'nightly', '--every', '5m'),
      json(z.array(Schedule), 'schedule', 'list'),
    ]);
    assert.deepEqual([byName.id, byName.intervalSeconds], [created.id, 300]);
    assert.deepEqual(
      byId.map((s) => s.id),
      [created.id],
    );
    const paused = await json(Schedule, 'schedule', 'update', created.id, '--jitter', '1m', '--paused');
    assert.deepEqual([paused.enabled, paused.jitterSeconds], [false, 60]);
    assert.equal((await json(FireTimes, 'schedule', 'next', 'nightly', '--count', '3')).fires.length, 3);
    assert.deepEqual(await json(FirePage.shape.fires, 'schedule', 'fires', 'nightly'), []);
    assert.deepEqual(await json(Deleted, 'schedule', 'delete', 'nightly'), { deleted: created.id });
    const gone = await cli('schedule', 'show', 'nightly');
    assert.deepEqual(
      [gone.code, gone.stderr],
      [1, "scrapyard-master schedule: NOT_FOUND: no schedule named 'nightly'\n"],
    );
  }

  /** Policies: durations in their fields. */
  async function policies() {
    const set = [
      'policy',
      'set',
      'later',
      '--allow-unknown-project',
      '--max-run-seconds',
      '2h',
      '--stall-seconds',
      '5m',
    ];
    const policy = await json(PlacementPolicy, ...set);
    assert.deepEqual([policy.maxRunSeconds, policy.stallSeconds], [7200, 300]);
    assert.deepEqual(await json(Deleted, 'policy', 'delete', 'later'), { deleted: 'later' });
  }

  /** Webhooks and channels by name; an alert rule on the channel, muted for 2h, by name. */
  async function targets() {
    const hook = await json(WebhookWithSecret, 'webhook', 'create', '--name', 'ci', '--url', 'http://127.0.0.1:9/hook');
    const [shown, list, deliveries] = await Promise.all([
      json(WebhookWithSecret, 'webhook', 'show', 'ci'),
      json(WebhookList, 'webhook', 'list'),
      json(DeliveryPage, 'webhook', 'deliveries', 'ci'),
    ]);
    assert.deepEqual([shown.webhook.id, list.webhooks.length, deliveries.deliveries], [hook.webhook.id, 1, []]);
    const channel = await json(
      ChannelWithSecret,
      ...['channel', 'create', '--name', 'ops', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/alerts'],
    );
    const rule = await json(
      AlertRuleResponse,
      ...['alert', 'create', '--name', 'broken', '--kind', 'job_outcome', '--outcome', 'failed'],
      ...['--channel', 'ops', '--repeat', '5m', '--for-seconds', '90s'],
    );
    assert.deepEqual(
      [rule.rule.channels, rule.rule.repeatSeconds, rule.rule.forSeconds],
      [[channel.channel.id], 300, 90],
    );
    const [muted, rules, alerts, channels] = await Promise.all([
      json(AlertRuleResponse, 'alert', 'mute', 'broken', '--for', '2h'),
      json(AlertRuleList, 'alert', 'list'),
      json(AlertPage, 'alert', 'alerts'),
      json(ChannelList, 'channel', 'list'),
    ]);
    near(muted.rule.mutedUntil!, 7200);
    assert.deepEqual([rules.rules.length, alerts.alerts, channels.channels.length], [1, [], 1]);
    assert.deepEqual(await json(Deleted, 'alert', 'delete', 'broken'), { deleted: rule.rule.id });
    const [noChannel, noHook] = await Promise.all([
      json(Deleted, 'channel', 'delete', 'ops'),
      json(Deleted, 'webhook', 'delete', hook.webhook.id),
    ]);
    assert.deepEqual([noChannel, noHook], [{ deleted: channel.channel.id }, { deleted: hook.webhook.id }]);
    const gone = await cli('channel', 'show', 'ops');
    assert.deepEqual([gone.code, gone.stderr], [1, "scrapyard-master channel: NOT_FOUND: no channel named 'ops'\n"]);
  }
});
