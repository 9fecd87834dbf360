import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bashCompletion, zshCompletion } from './completion.js';
import { COMMANDS } from './commands/all.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-completion-'));
const script = join(dir, 'scrapyard-master.bash');
writeFileSync(script, bashCompletion(COMMANDS));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What bash completes for the words typed so far (the last one being completed). */
function complete(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync(
    'bash',
    [
      '--norc',
      '-c',
      `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _scrapyard_master; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((x) => x !== '');
}

void test('the bash script is valid bash and completes commands, subcommands and their flags', () => {
  const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  assert.deepEqual(complete('scrapyard-master', 'sch'), ['schedule']);
  assert.deepEqual(complete('scrapyard-master', 'schedule', 'p'), ['pause', 'preview']);
  assert.deepEqual(complete('scrapyard-master', 'alert', 're'), ['remove']);
  assert.deepEqual(complete('scrapyard-master', 'schedule', 'list', '--pr'), ['--project']);
  assert.deepEqual(complete('scrapyard-master', 'node', 'enroll', '--t'), ['--ttl']);
  assert.deepEqual(complete('scrapyard-master', 'completion', ''), ['bash', 'zsh']);
  assert.deepEqual(complete('scrapyard-master', '--po'), ['--port']);
  // Hidden flags (a secret on the command line, refused) are not offered.
  assert.deepEqual(complete('scrapyard-master', 'webhook', 'create', '--secret'), ['--secret-file', '--secret-env']);
});

/**
 * What zsh completes: the script run by a real zsh, with `compdef` and `compadd` (the completion system's builtins,
 * absent outside an interactive shell) defined to print what would be offered.
 */
function completeZsh(...words: string[]): string[] {
  const zsh = join(dir, 'scrapyard-master.zsh');
  writeFileSync(zsh, zshCompletion(COMMANDS));
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync(
    'zsh',
    [
      '-f',
      '-c',
      `compdef() { :; }; compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }; source '${zsh}'; ` +
        `words=(${quoted}); CURRENT=${words.length}; _scrapyard_master`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.error, undefined, 'zsh is needed by this test (scripts/install.sh installs it for .ci/run)');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((x) => x !== '');
}

void test('the zsh script is valid zsh and offers commands, subcommands and their flags', () => {
  const z = zshCompletion(COMMANDS);
  assert.match(z, /^#compdef scrapyard-master\n/);
  const syntax = spawnSync('zsh', ['-n', '-c', z], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  const first = completeZsh('scrapyard-master', '');
  for (const c of COMMANDS) assert.ok(first.includes(c.name), c.name);
  assert.ok(completeZsh('scrapyard-master', 'schedule', '').includes('pause'));
  assert.ok(completeZsh('scrapyard-master', 'node', 'enroll', '').includes('--ttl'));
  assert.deepEqual(completeZsh('scrapyard-master', 'completion', ''), ['bash', 'zsh']);
});
