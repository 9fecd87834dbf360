/** The one help format, generated from a command's tables: usage, commands, flags, global options, notes. */
import type { Command, Flag, Flags, Sub } from './spec.js';

const LEFT = 32;
const WIDTH = 116;

/** `  left   text`, the text wrapped and, when left is too wide, starting on the next line. */
export function entry(left: string, text: string): string {
  const pad = ' '.repeat(LEFT);
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line !== '' && LEFT + line.length + 1 + word.length > WIDTH) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  const head = `  ${left}`;
  const first = head.length < LEFT ? `${head.padEnd(LEFT)}${lines.shift() ?? ''}` : head;
  return [first, ...lines.map((l) => `${pad}${l}`)].join('\n').replace(/ +$/gm, '');
}

export function flagLeft(name: string, f: Flag): string {
  const long = `--${name}${f.arg ? ` ${f.arg}` : ''}`;
  return f.short ? `-${f.short}, ${long}` : long;
}

export function flagLines(flags: Flags): string {
  return Object.entries(flags)
    .filter(([, f]) => !f.hidden)
    .map(([name, f]) => entry(flagLeft(name, f), f.aliasOf ? `the same as --${f.aliasOf}` : f.help))
    .join('\n');
}

export function subLine(s: Sub): string {
  const left = [s.name, ...(s.args ?? []), s.usage ?? ''].filter((x) => x !== '').join(' ');
  const also = s.aliases?.length ? ` (also: ${s.aliases.join(', ')})` : '';
  return entry(left, `${s.summary}${also}`);
}

/** The help of an admin command. */
export function commandHelp(prog: string, c: Command, global: Flags): string {
  return [
    `Usage: ${prog} ${c.name} <command> [options]`,
    c.summary,
    `Commands:\n${c.subs.map(subLine).join('\n')}`,
    Object.keys(c.flags).length > 0 ? `Flags:\n${flagLines(c.flags)}` : '',
    `Options (every ${c.name} command):\n${flagLines(global)}`,
    c.notes ?? '',
  ]
    .filter((x) => x !== '')
    .join('\n\n');
}

/** The usage line of each admin command, for the master's own help. */
export function commandUsage(prog: string, c: Command): string {
  return entry(`${prog} ${c.name} ${c.subs.map((s) => s.name).join('|')} …`, `(see ${prog} ${c.name} --help)`);
}
