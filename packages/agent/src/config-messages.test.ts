import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { unknownEnvWarnings } from '@scrapyard/protocol';
import { refusal, tempConfigFile } from '../../../test/helpers/config-refusals.js';
import type { AgentFlags } from './cli-args.js';
import { AGENT_ENV_NAMES, AgentConfigError, loadAgentFile } from './cli-config.js';

const problems = (file: string | undefined, env: NodeJS.ProcessEnv, flags: AgentFlags = {}) =>
  refusal(
    () => loadAgentFile(file, env, flags),
    (e) => (e instanceof AgentConfigError ? e.message.split('\n  ') : undefined),
  );
const jsonFile = (t: TestContext, text: string) => tempConfigFile(t, 'agent.json', text);

const URL_OK = { masterUrl: 'ws://127.0.0.1:6800' };
const LEVELS = 'fatal, error, warn, info, debug, trace, silent';

void test('a bad value in the JSON file names the key as written and the file', (t) => {
  const cases: [Record<string, unknown>, string][] = [
    [{ slots: 'many' }, 'slots = many in FILE: not a number'],
    [{ slots: 0 }, 'slots = 0 in FILE: out of range: the smallest allowed is 1'],
    [{ logLevel: 'loud' }, `logLevel = loud in FILE: unknown value; expected one of ${LEVELS}`],
    [{ logFormat: 'xml' }, 'logFormat = xml in FILE: unknown value; expected one of auto, json, pretty'],
    [{ dedicated: 'maybe' }, 'dedicated = maybe in FILE: not a boolean (true/false, on/off, 1/0)'],
    [
      { masterUrl: 'ftp://m:6800' },
      'masterUrl = ftp://m:6800 in FILE: must be http(s)://host:port or ws(s)://host:port',
    ],
    [{ metricsIntervalMs: '5s' }, 'metricsIntervalMs = 5s in FILE: not a number (milliseconds)'],
    [{ venvMaxAgeDays: '2w' }, 'venvMaxAgeDays = 2w in FILE: not a number (days)'],
    [{ slotz: 2 }, 'slotz in FILE: unknown key (did you mean slots?)'],
  ];
  for (const [values, expected] of cases) {
    const file = jsonFile(t, JSON.stringify({ ...URL_OK, ...values }));
    assert.deepEqual(problems(file, {}), [expected.replace('FILE', file)], expected);
  }
});

void test('a file that is not a JSON object says so, with the file', (t) => {
  const bad = jsonFile(t, '{"masterUrl": "ws://m:1",}');
  const [text] = problems(bad, {});
  assert.ok(text!.startsWith(`${bad}: not valid JSON (`), text);
  const list = jsonFile(t, '["ws://m:1"]');
  assert.deepEqual(problems(list, {}), [`${list}: expected a JSON object ({"masterUrl": "ws://…", …})`]);
  assert.deepEqual(problems(join(tmpdir(), 'no-such-agent.json'), {}), [
    `--config ${join(tmpdir(), 'no-such-agent.json')}: cannot read (ENOENT)`,
  ]);
});

void test('a bad value from the environment names the variable and its value', (t) => {
  const file = jsonFile(t, JSON.stringify({ ...URL_OK, slots: 'lots' }));
  const cases: [Record<string, string>, string][] = [
    [{ SCRAPYARD_SLOTS: 'abc' }, 'SCRAPYARD_SLOTS=abc: not a number'],
    [{ SCRAPYARD_SLOTS: '20000' }, 'SCRAPYARD_SLOTS=20000: out of range: the largest allowed is 10000'],
    [{ SCRAPYARD_LOG_LEVEL: 'loud' }, `SCRAPYARD_LOG_LEVEL=loud: unknown value; expected one of ${LEVELS}`],
    [{ SCRAPYARD_PIP_NO_INDEX: 'maybe' }, 'SCRAPYARD_PIP_NO_INDEX=maybe: not a boolean (true/false, on/off, 1/0)'],
    [
      { SCRAPYARD_MASTER_URL: 'ftp://m' },
      'SCRAPYARD_MASTER_URL=ftp://m: must be http(s)://host:port or ws(s)://host:port',
    ],
    [{ SCRAPYARD_EGG_CACHE_MAX_AGE_DAYS: '1d' }, 'SCRAPYARD_EGG_CACHE_MAX_AGE_DAYS=1d: not a number (days)'],
  ];
  for (const [env, expected] of cases) {
    const from = env.SCRAPYARD_SLOTS === undefined ? undefined : file;
    assert.deepEqual(problems(from, { SCRAPYARD_MASTER_URL: 'ws://m:1', ...env }), [expected], expected);
  }
});

void test('a bad value from a flag names the flag', () => {
  const env = { SCRAPYARD_MASTER_URL: 'ws://m:1' };
  assert.deepEqual(problems(undefined, env, { masterUrl: 'ftp://m' }), [
    '--url: must be http(s)://host:port or ws(s)://host:port',
  ]);
});

void test('an unknown SCRAPYARD_* variable is warned about, but not the runner and test variables', () => {
  const env = {
    SCRAPYARD_MASTER_ULR: 'ws://m:1',
    SCRAPYARD_SLOTS: '2',
    SCRAPYARD_LOG_FORMAT: 'json',
    SCRAPYARD_EXIT_FILE: '/x',
    SCRAPYARD_STATS_TOKEN_FD: '3',
    SCRAPYARD_TEST_PYTHON: '/usr/bin/python3',
  };
  assert.deepEqual(unknownEnvWarnings(env, AGENT_ENV_NAMES, 'scrapyard-agent'), [
    'SCRAPYARD_MASTER_ULR is not a setting of scrapyard-agent and is ignored (did you mean SCRAPYARD_MASTER_URL?)',
  ]);
});
