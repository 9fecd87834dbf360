import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { COMMANDS } from './commands/all.js';
import { masterHelp } from './master-flags.js';
import { globalFlags, runCommand } from './runner.js';
import type { Command } from './spec.js';

/** Runs `scrapyard-master <command> …argv`, capturing what it writes. */
async function run(c: Command, argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await runCommand(c, argv, env, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const command = (name: string) => COMMANDS.find((c) => c.name === name)!;

void test('every command: --help exits 0 in the one format, listing every subcommand and flag', async () => {
  for (const c of COMMANDS) {
    for (const argv of [['--help'], ['-h'], [c.subs[0]!.name, '--help']]) {
      const r = await run(c, argv);
      assert.equal(r.code, 0, `${c.name} ${argv.join(' ')}`);
      assert.equal(r.err, '');
      assert.ok(
        r.out.startsWith(`Usage: scrapyard-master ${c.name} <command> [options]\n\n${c.summary}\n\nCommands:\n`),
      );
      for (const s of c.subs) assert.match(r.out, new RegExp(`^  ${s.name}( |$)`, 'm'), `${c.name} ${s.name}`);
      const flags = { ...c.flags, ...globalFlags(c) };
      for (const [name, f] of Object.entries(flags)) {
        if (!f.hidden) assert.match(r.out, new RegExp(`^  (-\\w, )?--${name}( |$)`, 'm'), `${c.name} --${name}`);
      }
      assert.match(r.out, new RegExp(`\\n\\nOptions \\(every ${c.name} command\\):\\n  --config FILE `));
      for (const line of r.out.split('\n')) assert.ok(line.length <= 116, `${c.name}: a long line: ${line}`);
    }
    if (c.defaultSub !== undefined) continue; // a bare command runs its default subcommand
    const bare = await run(c, []);
    assert.deepEqual([bare.code, bare.out.startsWith(`Usage: scrapyard-master ${c.name} `)], [2, true]);
  }
});

void test("every subcommand's flags are the command's, and its names are unique", () => {
  for (const c of COMMANDS) {
    const names = c.subs.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length, c.name);
    for (const s of c.subs) {
      for (const f of s.flags ?? []) assert.ok(f in c.flags, `${c.name} ${s.name} --${f}`);
    }
  }
});

void test("the master's help names every command with its subcommands", () => {
  const help = masterHelp(COMMANDS);
  for (const c of COMMANDS) {
    assert.ok(help.includes(`scrapyard-master ${c.name} ${c.subs.map((s) => s.name).join('|')} …`), c.name);
    assert.ok(help.includes(`(see scrapyard-master ${c.name} --help)`), c.name);
  }
  assert.match(help, /^ {2}--port N {2,}port to listen on/m);
  assert.match(help, /^ {7}scrapyard-master migrate /m);
  assert.match(help, /^ {7}scrapyard-master completion bash\|zsh$/m);
});

void test('usage errors: one line in our words, a pointer to --help, exit 2; nothing is sent', async () => {
  const cases: [string, string[], string][] = [
    ['schedule', ['explode'], 'unknown schedule command "explode"'],
    ['node', ['list', '--x'], 'unknown flag --x'],
    ['node', ['list', '--ttl', '5m'], 'list takes no --ttl'],
    ['node', ['enroll', '--ttl', 'soon'], "--ttl: not a duration like 90, 90s, 5m, 2h or 1d ('soon')"],
    ['schedule', ['show'], 'show needs a schedule id or name'],
    ['schedule', ['show', 'a', 'b'], 'unexpected arguments: b'],
    ['policy', ['get'], 'get needs PROJECT'],
    ['webhook', ['list', '--url', 'http://x'], "list takes no --url (the master's URL is --master-url)"],
    [
      'alert',
      ['list', '--url', 'http://a', '--master-url', 'http://b'],
      '--url and --master-url are the same flag: give one',
    ],
  ];
  for (const [name, argv, message] of cases) {
    const r = await run(command(name), argv);
    assert.deepEqual(
      [r.code, r.out, r.err],
      [2, '', `scrapyard-master ${name}: ${message}\n(see scrapyard-master ${name} --help)\n`],
      `${name} ${argv.join(' ')}`,
    );
  }
});

function emptyConfig(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-runner-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'scrapyd.conf');
  writeFileSync(file, '[scrapyd]\n');
  return file;
}

void test('a failure: `command: CODE: message`, exit 1', async (t) => {
  const conf = emptyConfig(t);
  const r = await run(command('node'), ['list', '--config', conf, '--url', 'http://127.0.0.1:1']);
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    /^scrapyard-master node: MASTER_UNREACHABLE: cannot reach the master at http:\/\/127\.0\.0\.1:1: /,
  );
  const ca = await run(command('node'), [
    'list',
    '--config',
    conf,
    '--url',
    'https://127.0.0.1:1',
    '--ca-file',
    '/nonexistent/ca.pem',
  ]);
  assert.equal(ca.code, 1);
  assert.match(ca.err, /^scrapyard-master node: BAD_REQUEST: cannot read the CA file \/nonexistent\/ca\.pem: /);
});

void test('every command table is named in COMMAND_NAMES, which the master start reads instead of loading the tables', async () => {
  const { COMMAND_NAMES, loadCommands } = await import('./index.js');
  assert.deepEqual(
    COMMAND_NAMES,
    COMMANDS.map((c) => c.name),
  );
  assert.equal(await loadCommands(), COMMANDS);
});
