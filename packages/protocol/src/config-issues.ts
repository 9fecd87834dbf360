/**
 * Config problems in the user's words: the key as written and where it came from (a file and its section, an
 * environment variable, a flag), and what is wrong in plain terms instead of zod's. Shared by both daemons. A
 * secret's value is never repeated: the problem names where it is, not what it is.
 */
import type { z } from 'zod';

/** Where one value came from. */
export type ConfigOrigin =
  | { kind: 'file'; path: string; section?: string; key: string; value: unknown }
  | { kind: 'env'; name: string; value: string }
  | { kind: 'flag'; flag: string };

export interface IssueContext {
  /** Internal key (first element of an issue's path, or `key.sub` for sections of named entries) → origin. */
  origins: ReadonlyMap<string, ConfigOrigin>;
  /** The key as users write it when no origin is known (a default, or a cross-check of two keys). */
  keyName: (key: string) => string;
  /** Internal keys whose values are secrets. */
  secrets: ReadonlySet<string>;
  /** Unit of a numeric key (`seconds`, `bytes`…), said when the value is not a number. */
  unitOf?: (key: string) => string | undefined;
}

/** `http_port = abc in /etc/scrapyd/scrapyd.conf [scrapyd]: not a number`, `SCRAPYARD_HTTP_PORT=abc: …`, `--port: …`. */
export function describeIssue(issue: z.core.$ZodIssue, ctx: IssueContext): string {
  const key = String(issue.path[0] ?? '');
  const origin = ctx.origins.get(issue.path.slice(0, 2).join('.')) ?? ctx.origins.get(key);
  const label = origin ? where(origin, ctx.secrets.has(key)) : key === '' ? '(config)' : ctx.keyName(key);
  return `${label}: ${issueText(issue, ctx.unitOf?.(key))}`;
}

/** Where a value came from, with the value unless it is a secret. */
export function where(o: ConfigOrigin, secret: boolean): string {
  const shown = (v: unknown) => {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s === '' || /[\s"]/.test(s) ? JSON.stringify(s) : s;
  };
  switch (o.kind) {
    case 'file': {
      const section = o.section === undefined ? '' : ` [${o.section}]`;
      return `${o.key}${secret ? '' : ` = ${shown(o.value)}`} in ${o.path}${section}`;
    }
    case 'env':
      return secret ? o.name : `${o.name}=${shown(o.value)}`;
    case 'flag':
      return o.flag;
  }
}

/** What is wrong, in plain terms. */
export function issueText(issue: z.core.$ZodIssue, unit?: string): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number') return unit ? `not a number (${unit})` : 'not a number';
      if (issue.expected === 'int') return 'not a whole number';
      return /received undefined$/.test(issue.message) ? 'missing' : `expected a ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      if (issue.origin === 'string') return `too short: at least ${issue.minimum} characters`;
      return `out of range: the smallest allowed is ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `too long: at most ${issue.maximum} characters`;
      return `out of range: the largest allowed is ${issue.maximum}`;
    case 'invalid_value':
      return `unknown value; expected one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}
