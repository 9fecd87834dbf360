import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCommand } from '../runner.js';
import { AUDIT_COMMAND, timeValue } from './audit.js';

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCommand(AUDIT_COMMAND, argv, {}, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

void test('audit --since/--until: a duration back from now or an ISO date', () => {
  const now = Date.UTC(2026, 0, 2);
  assert.equal(timeValue('since', '1h', now), now - 3_600_000);
  assert.equal(timeValue('since', '90', now), now - 90_000);
  assert.equal(timeValue('since', '2026-01-01T00:00:00Z', now), Date.UTC(2026, 0, 1));
  assert.throws(() => timeValue('since', 'yesterday', now), /--since: not a duration like 90s, 5m, 2h or 1d/);
});

void test('audit: bad filters are usage errors (exit 2) before anything is sent', async () => {
  const cases: [string[], string][] = [
    [['--action', 'User.Create'], "--action: an action like job.schedule, or a prefix ending with '.' like user."],
    [['--actor-kind', 'robot'], '--actor-kind: one of system, anonymous, scrapyd-user, admin, user, token, node'],
    [['--limit', '0'], '--limit: 1 to 1000 (0)'],
    [['list', '--since', 'soon'], "--since: not a duration like 90s, 5m, 2h or 1d, nor an ISO date ('soon')"],
    [['show'], 'unknown audit command "show"'],
  ];
  for (const [argv, message] of cases) {
    // The URL would fail (nothing listens there): a usage error means nothing was sent.
    const r = await run([...argv, '--url', 'http://127.0.0.1:1', '--config', '/dev/null']);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.ok(r.err.startsWith(`scrapyard-master audit: ${message}`), r.err);
  }
});

void test('audit alone is audit list: it calls the master', async () => {
  const r = await run(['--url', 'http://127.0.0.1:1', '--config', '/dev/null']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^scrapyard-master audit: MASTER_UNREACHABLE: /);
});
