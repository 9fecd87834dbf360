import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from './errors.js';
import { parseMasterArgs } from './master-flags.js';
import { parseFlags } from './parse.js';
import type { Flags } from './spec.js';
import { durationValue } from './values.js';

const FLAGS: Flags = {
  port: { type: 'number', arg: 'N', help: '' },
  every: { type: 'duration', arg: 'DURATION', help: '' },
  name: { type: 'string', arg: 'NAME', help: '' },
  tag: { type: 'list', arg: 'T', help: '' },
  json: { type: 'boolean', help: '' },
  help: { type: 'boolean', short: 'h', help: '' },
  repeat: { type: 'duration', help: '' },
  'repeat-seconds': { type: 'duration', help: '', aliasOf: 'repeat' },
};

/** The message of the UsageError `f` throws. */
function usage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UsageError, `a UsageError, not ${String(e)}`);
    return e.message;
  }
  assert.fail('no error');
}

void test('values are typed as they are parsed: numbers, durations, lists, booleans, positionals', () => {
  const p = parseFlags(
    ['show', 'x', '--port', '8080', '--every=5m', '--tag', 'a', '--tag', 'b,c', '--json', '--name', '-n-'],
    FLAGS,
  );
  assert.deepEqual(p.positionals, ['show', 'x']);
  assert.deepEqual(p.values, { port: 8080, every: 300, tag: ['a', 'b,c'], json: true, name: '-n-' });
  assert.deepEqual(parseFlags(['--port=-5', '-h'], FLAGS).values, { port: -5, help: true });
  assert.deepEqual(parseFlags(['--', '--json'], FLAGS).positionals, ['--json']);
});

void test('an older name of a flag fills the flag; both names at once are refused', () => {
  assert.deepEqual(parseFlags(['--repeat-seconds', '600'], FLAGS).values, { repeat: 600 });
  assert.equal(
    usage(() => parseFlags(['--repeat', '1m', '--repeat-seconds', '60'], FLAGS)),
    '--repeat and --repeat-seconds are the same flag: give one',
  );
});

void test("parser problems are said in our words, never node:util's", () => {
  const cases: [string[], string][] = [
    [['--nope'], 'unknown flag --nope'],
    [['-z'], 'unknown flag -z'],
    [['--name'], '--name needs a value (NAME)'],
    [['--name', '--json'], '--name needs a value (NAME)'],
    [['--json=yes'], '--json takes no value'],
    [['--port', 'abc'], "--port: not a number ('abc')"],
    [['--port', ''], "--port: not a number ('')"],
    [['--every', 'often'], "--every: not a duration like 90, 90s, 5m, 2h or 1d ('often')"],
  ];
  for (const [argv, message] of cases) {
    const got = usage(() => parseFlags(argv, FLAGS));
    assert.equal(got, message, argv.join(' '));
    assert.doesNotMatch(got, /To specify a positional|Unknown option|argument missing/);
  }
});

void test('durations: 90, 90s, 5m, 2h, 1d in seconds; anything else refused', () => {
  assert.deepEqual(
    ['90', '90s', '5m', '2h', '1d', ' 15m '].map((d) => durationValue('for', d)),
    [90, 90, 300, 7200, 86400, 900],
  );
  for (const bad of ['', 's', '1.5h', '-5', '5 m', '2w', '1h30m']) {
    assert.throws(() => durationValue('for', bad), UsageError, bad);
  }
});

void test("the master's own flags: typed --port, config keys, unknown words", () => {
  assert.equal(
    usage(() => parseMasterArgs(['--port', 'abc'])),
    "--port: not a number ('abc')",
  );
  assert.deepEqual(parseMasterArgs(['--port', '7000', '--no-local-agent', '--config', 'c.conf']), {
    kind: 'run',
    configFile: 'c.conf',
    flags: { httpPort: 7000, localAgent: false },
  });
  assert.equal(
    usage(() => parseMasterArgs(['explode'])),
    'unknown command "explode"',
  );
  assert.equal(
    usage(() => parseMasterArgs(['--bind', '::', '--python', 'py'], ['config'])),
    'migrate takes no --bind, --python',
  );
  assert.deepEqual(parseMasterArgs(['-h']), { kind: 'help' });
});
