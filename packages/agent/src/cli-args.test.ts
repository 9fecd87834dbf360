import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { AGENT_HELP, parseAgentArgs } from './cli-args.js';
import { AgentCliError, formatCliError } from './cli-error.js';
import { credentialPath, writeCredential } from './credential.js';
import { loadAgentFile, toAgentConfig } from './cli-config.js';

function usage(argv: string[]): string {
  try {
    parseAgentArgs(argv);
  } catch (e) {
    assert.ok(e instanceof AgentCliError);
    assert.equal(e.code, 'USAGE');
    return formatCliError(e);
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

void test("the parser's own messages never reach the user: options named as typed, with the USAGE code", () => {
  assert.equal(usage(['--nope']), 'scrapyard-agent: USAGE: unknown option --nope (see scrapyard-agent --help)\n');
  assert.match(usage(['--config']), /USAGE: --config needs a value/);
  assert.match(usage(['--help=yes']), /USAGE: --help takes no value/);
  assert.match(usage(['start']), /USAGE: unknown command "start"/);
  assert.match(usage(['register', 'extra', '--token', 't']), /unexpected argument "extra"/);
  assert.match(usage(['--token', 't']), /--token is for register/);
  assert.match(usage(['register']), /register needs --token/);
  for (const argv of [['--nope'], ['--config'], ['--help=yes']]) {
    assert.doesNotMatch(usage(argv), /Unknown option|argument missing|does not take|positional|'/);
  }
});

void test("--url is the master's address, as in scrapyard-master; --master-url stays as a hidden alias", () => {
  assert.deepEqual(parseAgentArgs(['--url', 'http://m:6800', '--data-dir', 'd']), {
    kind: 'run',
    configFile: undefined,
    flags: { masterUrl: 'http://m:6800', dataDir: 'd' },
  });
  const old = parseAgentArgs(['register', '--master-url', 'ws://m:6800', '--token', 't', '--node-id', 'n']);
  assert.deepEqual(old, {
    kind: 'register',
    configFile: undefined,
    flags: { masterUrl: 'ws://m:6800' },
    token: 't',
    nodeId: 'n',
    owner: undefined,
  });
  assert.match(usage(['--url', 'ws://a:1', '--master-url', 'ws://b:1']), /--master-url is the old name of --url/);
  assert.match(AGENT_HELP, /^ {2}--url URL {11}the master's address/m);
  assert.doesNotMatch(AGENT_HELP, /--master-url/);
});

void test('flags win over the environment; --data-dir is relative to the working directory; http becomes ws', () => {
  const env = { SCRAPYARD_MASTER_URL: 'ws://env:1', SCRAPYARD_DATA_DIR: '/env/data' };
  const c = loadAgentFile(undefined, env, { masterUrl: 'https://m.example:6800', dataDir: 'rel/data' });
  assert.equal(c.masterUrl, 'wss://m.example:6800');
  assert.equal(c.dataDir, resolve('rel/data'));
  assert.equal(loadAgentFile(undefined, env).masterUrl, 'ws://env:1');
});

void test('without a configured master the agent dials the one that issued its credential', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-url-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = loadAgentFile(undefined, {}, { dataDir: dir });
  assert.equal(file.masterUrl, undefined);
  writeCredential(credentialPath(dir), { nodeId: 'n1', secret: 'ab'.repeat(32) });
  assert.throws(() => toAgentConfig(file), /masterUrl: the master's address is needed: --url/);
  writeCredential(credentialPath(dir), { nodeId: 'n1', secret: 'ab'.repeat(32), master: 'https://m.example:6800' });
  assert.equal(toAgentConfig(file).masterUrl, 'wss://m.example:6800/agent/v1/ws');
  assert.equal(toAgentConfig({ ...file, masterUrl: 'ws://other:1' }).masterUrl, 'ws://other:1/agent/v1/ws');
});
