/**
 * A small INI reader for scrapyd.conf-style files (Python configparser subset): `[section]`, `key = value` or
 * `key: value`, `#`/`;` comment lines, indented continuation lines. Keys are lower-cased like configparser does.
 */
import { errorWithCode } from '@scrapyard/protocol';

export type IniSections = Map<string, Map<string, string>>;

export class IniError extends errorWithCode('CONFIG_INVALID') {}

export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  text.split(/\r?\n/).forEach((line, index) => {
    if (/^\s*([#;].*)?$/.test(line)) return;
    const section = /^\[([^\]]+)\]\s*$/.exec(line);
    if (section) {
      const name = section[1]!.trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      lastKey = null;
      return;
    }
    if (/^\s/.test(line) && current && lastKey) {
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${line.trim()}`);
      return;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!pair || !current) throw new IniError(`line ${index + 1}: expected "[section]" or "key = value"`);
    lastKey = pair[1]!.trim().toLowerCase();
    (current as Map<string, string>).set(lastKey, pair[2]!.trim());
  });
  return sections;
}
