/**
 * A password for `user add` and `user passwd`: typed at a prompt without echo (asked twice), or read from
 * stdin with `--password-stdin` (one trailing newline dropped). Never from the command line, which other local
 * users see (ps) and the shell keeps in its history.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Ctx, Flag } from '../spec.js';

export const PASSWORD_FLAGS: Record<string, Flag> = {
  'password-stdin': { type: 'boolean', help: 'read the password from stdin (else: a prompt, no echo)' },
  password: { type: 'string', arg: 'PASSWORD', help: '', hidden: true },
};

/** The password the command line asks for. */
export async function passwordOf(c: Ctx, user: string): Promise<string> {
  if (c.has('password')) {
    throw new UsageError(
      '--password would show the password to every local user (ps) and keep it in the shell history: type it at the prompt, or pipe it with --password-stdin',
    );
  }
  if (c.bool('password-stdin')) return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (!process.stdin.isTTY) {
    throw new UsageError('no terminal to ask for the password on: pipe it with --password-stdin');
  }
  const first = await prompt(`Password for ${user}: `);
  const again = await prompt('Again: ');
  if (first !== again) throw new UsageError('the two passwords differ');
  return first;
}

/** One line typed without echo (raw mode: Enter ends it, Backspace erases, Ctrl-C or Ctrl-D gives up). */
function prompt(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (e?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (e) reject(e);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new UsageError('no password given'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
