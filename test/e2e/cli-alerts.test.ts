/**
 * `scrapyard-master alert …` against a real master: a rule created from flags and from --json-body, listed, shown,
 * updated (a threshold merged into its condition, channels, repeat), muted and unmuted; alerts listed and one
 * muted after a real failing crawl; the rule deleted; the `add`/`remove` and flag aliases. Bad input (an unknown
 * channel, a threshold out of range, a bad duration) exits non-zero with a clear message and stores nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ROOT, runCli } from '../helpers/agents.js';
import { ScrapydClient } from '../helpers/clients.js';
import { RestClient } from '../helpers/http.js';
import { deploy, schedule, waitFinished } from '../helpers/jobs.js';
import { startMaster, tempDir } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

interface Rule {
  id: string;
  name: string;
  condition: Record<string, unknown>;
  channels: string[];
  repeatSeconds: number | null;
  mutedUntil: number | null;
}

function failed(r: { code: number | null; stderr: string; all: string }, msg: RegExp): void {
  assert.equal(r.code, 1, r.all);
  assert.match(r.stderr, msg);
}

/** Asserts a usage error: exit 2 and the message on stderr. */
function refused(r: { code: number | null; stderr: string; all: string }, msg: RegExp): void {
  assert.equal(r.code, 2, r.all);
  assert.match(r.stderr, msg);
}

/**
 * What bash completes for `scrapyard-master <words>` with the generated script and the installed command, run from
 * a directory whose scrapyd.conf points at the master (as an operator's shell on the master host would).
 */
async function completeIds(t: TestContext, master: { url: string; dataDir: string }, words: string[]) {
  const dir = tempDir(t);
  const prefix = join(dir, 'prefix');
  assert.equal(spawnSync('bash', [join(ROOT, 'scripts/install-bin.sh'), prefix]).status, 0);
  const script = await runCli('master', ['completion', 'bash']);
  writeFileSync(join(dir, 'completion.bash'), script.stdout);
  const port = new URL(master.url).port;
  writeFileSync(
    join(dir, 'scrapyd.conf'),
    `[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = ${port}\n[scrapyard]\ndata_dir = ${master.dataDir}\n`,
  );
  const line = ['scrapyard-master', ...words].map((w) => `'${w}'`).join(' ');
  const r = spawnSync(
    'bash',
    [
      '--norc',
      '-c',
      `source completion.bash; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _scrapyard_master; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` } },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((x) => x !== '');
}

void test('alert rules and alerts through the CLI; bad input refused and nothing stored', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_ALERT_CHECK_SECONDS: '1' } });
  const api = new ScrapydClient(master.url);
  const rest = new RestClient(master.url);
  const cli = (...args: string[]) =>
    runCli('master', ['alert', ...args, '--master-url', master.url, '--data-dir', master.dataDir]);
  const json = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    assert.equal(r.code, 0, r.all);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const help = await runCli('master', ['alert', '--help']);
  assert.equal(help.code, 0, help.all);
  assert.match(help.stdout, /Usage: scrapyard-master alert <command>/);
  assert.match(help.stdout, /--master-url URL/);
  const bare = await runCli('master', ['alert']);
  assert.deepEqual([bare.code, /Usage: scrapyard-master alert/.test(bare.stdout)], [2, true]);
  const { channel } = (await rest.ok('POST', '/api/v1/channels', {
    name: 'hook',
    kind: 'webhook',
    config: { url: 'http://127.0.0.1:9/alerts' },
  })) as { channel: { id: string } };

  // Bad input: a clear message, nothing stored.
  failed(
    await cli('create', '--name', 'x', '--kind', 'job_outcome', '--outcome', 'failed', '--channel', 'ch_nope'),
    /UNKNOWN_CHANNEL: no channel ch_nope/,
  );
  failed(
    await cli('create', '--name', 'x', '--kind', 'node_resource', '--resource', 'cpu', '--above-percent', '150'),
    /invalid rule: condition\.abovePercent/,
  );
  failed(await cli('create', '--name', 'x', '--kind', 'job_items'), /minItems, minPercentOfMedian or both/);
  refused(await cli('create', '--name', 'x', '--kind', 'job_outcome', '--repeat', 'soon'), /--repeat: not a duration/);
  refused(await cli('create', '--name', 'x'), /create needs --kind/);
  refused(await cli('mute', 'ar_x'), /needs --for DURATION/);
  refused(await cli('list', '--url', master.url), /--url and --master-url are the same flag/);
  refused(await cli('list', '--name', 'x'), /list takes no --name/);
  refused(await cli('explode'), /unknown alert command "explode"/);
  failed(
    await cli('create', '--name', 'x', '--kind', 'schedule_fire', '--schedule', 'nightly', '--on', 'missed'),
    /NOT_FOUND: no schedule named 'nightly'/,
  );
  failed(await cli('alerts', '--rule', 'nameless'), /NOT_FOUND: no alert rule named 'nameless'/);
  failed(await cli('show', 'ar_nothing'), /NOT_FOUND/);
  assert.deepEqual((await json('list')).rules, []);

  // Created from flags, shown, listed.
  const created = (
    await json(
      'create',
      ...['--name', 'quick broke', '--kind', 'job_outcome', '--project', 'demo', '--spider', 'quick'],
      ...['--outcome', 'failed,timed_out', '--channel', channel.id, '--repeat', '2h', '--for-seconds', '0'],
    )
  ).rule as Rule;
  assert.deepEqual(created.condition, {
    kind: 'job_outcome',
    project: 'demo',
    spider: 'quick',
    outcomes: ['failed', 'timed_out'],
  });
  assert.equal(created.repeatSeconds, 7_200);
  const shown = await cli('show', created.id);
  assert.equal(shown.code, 0, shown.all);
  assert.match(shown.stdout, /condition\s+demo\/quick outcome in failed,timed_out/);
  const listed = await cli('list');
  assert.match(listed.stdout, new RegExp(`${created.id}\\s+quick broke\\s+job_outcome`));
  // Shell completion asks this master for the rules' ids (a name with a space is not a completion word).
  assert.deepEqual(await completeIds(t, master, ['alert', 'show', 'ar_']), [created.id]);

  // From --json-body; then a threshold changed in place (the rest of the condition kept).
  const dir = tempDir(t);
  const file = join(dir, 'rule.json');
  writeFileSync(
    file,
    JSON.stringify({ name: 'few items', condition: { kind: 'job_items', project: 'demo', minItems: 2 } }),
  );
  const items = (await json('create', '--json-body', file)).rule as Rule;
  const updated = (await json('update', items.id, '--min-items', '5', '--no-repeat')).rule as Rule;
  assert.deepEqual(updated.condition, { kind: 'job_items', project: 'demo', minItems: 5, baselineRuns: 5 });
  assert.equal(updated.repeatSeconds, null);
  failed(await cli('update', items.id, '--min-items=-1'), /invalid rule: condition\.minItems/);
  refused(await cli('update', items.id), /nothing to update/);

  // Muted and unmuted.
  const muted = (await json('mute', created.id, '--for', '30m')).rule as Rule;
  assert.ok(muted.mutedUntil !== null && muted.mutedUntil > Date.now() + 29 * 60_000);
  assert.equal(((await json('unmute', created.id)).rule as Rule).mutedUntil, null);

  // A real failure: the alert is listed, muted alone, unmuted.
  await deploy(api, 'demo', '1.0');
  const broken = await schedule(api, { project: 'demo', spider: 'quick', setting: 'DEMO_CRASH=1' });
  assert.equal((await waitFinished(api, broken)).outcome, 'failed');
  const alert = await waitFor(
    async () =>
      ((await json('alerts', '--state', 'firing', '--rule', created.id)).alerts as { id: string; ruleId: string }[])[0],
    { what: 'the alert' },
  );
  assert.equal(alert.ruleId, created.id);
  // A filter by the rule's name, resolved to its id.
  const table = await cli('alerts', '--state', 'active', '--rule', 'quick broke');
  assert.match(table.stdout, new RegExp(`${alert.id}\\s+${created.id}\\s+firing\\s+demo/quick\\s+crawl failed`));
  const one = (await json('mute-alert', alert.id, '--for', '1h')).alert as { mutedUntil: number | null };
  assert.ok(one.mutedUntil !== null);
  assert.equal(((await json('unmute-alert', alert.id)).alert as { mutedUntil: number | null }).mutedUntil, null);

  const deleted = await cli('delete', created.id);
  assert.equal(deleted.code, 0, deleted.all);
  failed(await cli('show', created.id), /NOT_FOUND/);

  // The other names: add (with --outcomes, --repeat-seconds and --url), remove.
  const added = await runCli('master', [
    ...['alert', 'add', '--name', 'any failure', '--kind', 'job_outcome', '--outcomes', 'lost,stalled'],
    ...['--repeat-seconds', '600', '--url', master.url, '--data-dir', master.dataDir, '--json'],
  ]);
  assert.equal(added.code, 0, added.all);
  const alias = (JSON.parse(added.stdout) as { rule: Rule }).rule;
  assert.deepEqual([alias.condition.outcomes, alias.repeatSeconds], [['lost', 'stalled'], 600]);
  const removed = await cli('remove', alias.id);
  assert.deepEqual([removed.code, removed.stdout.trim()], [0, `deleted: ${alias.id}`]);
  assert.deepEqual(
    ((await json('list')).rules as Rule[]).map((r) => r.name),
    ['few items'],
  );
  // The items rule saw the same crawl (no items, under its minimum): its alert is the only one left.
  assert.deepEqual(
    ((await json('alerts')).alerts as { ruleId: string }[]).map((a) => a.ruleId),
    [items.id],
  );
});
