import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { unknownEnvWarnings } from '@scrapyard/protocol';
import { refusal, tempConfigFile } from '../../../test/helpers/config-refusals.js';
import { ConfigError, loadMasterConfig, MASTER_ENV_NAMES } from './config-load.js';
import type { MasterConfigInput } from './config.js';

const problems = (opts: Parameters<typeof loadMasterConfig>[0]) =>
  refusal(
    () => loadMasterConfig(opts),
    (e) => (e instanceof ConfigError ? e.problems : undefined),
  );
const confFile = (t: TestContext, text: string) => tempConfigFile(t, 'scrapyd.conf', text);

const LEVELS = 'fatal, error, warn, info, debug, trace, silent';
const BOOLEAN = 'not a boolean (on/off, true/false, yes/no, 1/0)';
const POSTGRES = 'expected empty (SQLite in the data dir) or a postgres://user:password@host:port/database URL';

void test('a bad value in a file names the key as written, the file and the section', (t) => {
  const cases: [string, string, string][] = [
    ['scrapyd', 'http_port = abc', 'http_port = abc in FILE [scrapyd]: not a number'],
    [
      'scrapyd',
      'max_proc_per_cpu = 0',
      'max_proc_per_cpu = 0 in FILE [scrapyd]: out of range: the smallest allowed is 1',
    ],
    ['scrapyd', 'http_port = 1.5', 'http_port = 1.5 in FILE [scrapyd]: not a whole number'],
    ['scrapyard', 'log_level = loud', `log_level = loud in FILE [scrapyard]: unknown value; expected one of ${LEVELS}`],
    ['scrapyd', 'debug = maybe', `debug = maybe in FILE [scrapyd]: ${BOOLEAN}`],
    ['scrapyard', 'public_url = not a url', 'public_url = "not a url" in FILE [scrapyard]: expected an http(s) URL'],
    ['scrapyard', 'heartbeat_timeout = 5m', 'heartbeat_timeout = 5m in FILE [scrapyard]: not a number (seconds)'],
    ['scrapyd', 'htp_port = 6800', 'htp_port in FILE [scrapyd]: unknown key (did you mean http_port?)'],
    ['scrapyd', 'log_level = info', 'log_level in FILE [scrapyd]: a Scrapyard key; put it in [scrapyard]'],
    ['scrapyard', 'wibble = 1', 'wibble in FILE [scrapyard]: unknown key'],
    ['services', 'statuz.json =', 'statuz.json in FILE [services]: unknown endpoint (did you mean status.json?)'],
  ];
  for (const [section, line, expected] of cases) {
    const file = confFile(t, `[${section}]\n${line}\n`);
    assert.deepEqual(problems({ file }), [expected.replace('FILE', file)], line);
  }
});

void test('a bad value from the environment names the variable and its value', () => {
  const cases: [string, string, string][] = [
    ['SCRAPYARD_HTTP_PORT', 'abc', 'SCRAPYARD_HTTP_PORT=abc: not a number'],
    ['SCRAPYD_HTTP_PORT', '99999', 'SCRAPYD_HTTP_PORT=99999: out of range: the largest allowed is 65535'],
    ['SCRAPYARD_LOG_LEVEL', 'loud', `SCRAPYARD_LOG_LEVEL=loud: unknown value; expected one of ${LEVELS}`],
    ['SCRAPYARD_AUTO_MIGRATE', 'maybe', `SCRAPYARD_AUTO_MIGRATE=maybe: ${BOOLEAN}`],
    ['SCRAPYARD_PUBLIC_URL', 'ftp://x', 'SCRAPYARD_PUBLIC_URL=ftp://x: expected an http(s) URL'],
    ['SCRAPYARD_LOST_GRACE', '10m', 'SCRAPYARD_LOST_GRACE=10m: not a number (seconds)'],
    ['SCRAPYARD_BIND_ADDRESS', '', 'SCRAPYARD_BIND_ADDRESS="": must not be empty'],
  ];
  for (const [name, value, expected] of cases) {
    assert.deepEqual(problems({ env: { [name]: value } }), [expected], name);
  }
});

void test('a bad value from a flag names the flag', () => {
  const cases: [Partial<Record<keyof MasterConfigInput, unknown>>, string][] = [
    [{ httpPort: 'abc' }, '--port: not a number'],
    [{ httpPort: '70000' }, '--port: out of range: the largest allowed is 65535'],
    [{ databaseUrl: 'mysql://h/d' }, `--database-url: ${POSTGRES}`],
    [{ bindAddress: '' }, '--bind: must not be empty'],
  ];
  for (const [flags, expected] of cases) assert.deepEqual(problems({ flags }), [expected], expected);
});

void test('the later source is the one named; a secret is named by where it is, never by its value', (t) => {
  const file = confFile(t, '[scrapyd]\nhttp_port = abc\n[scrapyard]\ndatabase_url = mysql://u:hunter2@db/s\n');
  assert.deepEqual(problems({ file, env: { SCRAPYD_HTTP_PORT: 'xyz' } }), [
    'SCRAPYD_HTTP_PORT=xyz: not a number',
    `database_url in ${file} [scrapyard]: ${POSTGRES}`,
  ]);
  const env = {
    SCRAPYARD_DATABASE_URL: 'mysql://u:hunter2@db/s',
    SCRAPYARD_METRICS_TOKEN: 'hunter2',
    SCRAPYARD_TEMPORARY_NODES: 'on',
    SCRAPYARD_TEMPORARY_NODE_SECRET: 'hunter2',
  };
  const text = problems({ env });
  assert.deepEqual(text, [
    `SCRAPYARD_DATABASE_URL: ${POSTGRES}`,
    'SCRAPYARD_METRICS_TOKEN: expected at least 16 printable characters, no spaces',
    'SCRAPYARD_TEMPORARY_NODE_SECRET: temporary_nodes needs temporary_node_secret of at least 32 characters',
  ]);
  assert.ok(!text.join('\n').includes('hunter2'));
  assert.deepEqual(problems({ env: { SCRAPYD_PASSWORD: 'hunter2' } }), [
    'username: password is set without username: set both to turn basic auth on, or neither',
  ]);
});

void test('an unknown SCRAPYARD_* variable is warned about once, with the closest known name', () => {
  const env = {
    SCRAPYARD_HTTP_PROT: '6800',
    SCRAPYARD_WHATEVER_ELSE: '1',
    SCRAPYARD_DATA_DIR: '/d',
    SCRAPYARD_OUTBOUND_ALLOWED_HOSTS: '*',
    SCRAPYD_HTTP_PORT: '6800',
    SCRAPYARD_TEST_FROM_SOURCE: '1',
    SCRAPYARD_CONFIG_SEARCH: '',
    SCRAPYARD_STATS_SOCKET: '/s',
    SCRAPYARD_EGG_PATH: '/e',
    PATH: '/usr/bin',
  };
  assert.deepEqual(unknownEnvWarnings(env, MASTER_ENV_NAMES, 'scrapyard-master'), [
    'SCRAPYARD_HTTP_PROT is not a setting of scrapyard-master and is ignored (did you mean SCRAPYARD_HTTP_PORT?)',
    'SCRAPYARD_WHATEVER_ELSE is not a setting of scrapyard-master and is ignored',
  ]);
});
