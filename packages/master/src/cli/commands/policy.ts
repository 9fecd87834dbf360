/**
 * `scrapyard-master policy …`: project and spider policies through the running master's REST API. `set` replaces
 * the whole policy (PUT), `patch` changes only the fields given (PATCH); the value `inherit` clears one field.
 */
import { PlacementPolicy } from '@scrapyard/protocol';
import { UsageError } from '../errors.js';
import type { Command, Ctx, Flags, Sub } from '../spec.js';
import { commaList, defined, durationValue, numberValue, table } from '../values.js';
import { DELETED, JSON_BODY_FLAG, bodyOf, deleted } from './shared.js';

const INHERIT = 'inherit';

const FLAGS: Flags = {
  tag: { type: 'list', arg: 'T', help: 'tags an agent must have (repeatable or comma-separated)' },
  'max-running': { type: 'string', arg: 'N', help: 'running jobs at most' },
  retries: { type: 'string', arg: 'N', help: 'runs again after an outcome in --retry-on, N times at most' },
  'retry-on': { type: 'list', arg: 'O', help: 'failed, timed_out, stalled, lost (default lost)' },
  'retry-backoff-seconds': { type: 'string', arg: 'DURATION', help: "the first retry's delay (default 10s)" },
  'retry-backoff-max-seconds': { type: 'string', arg: 'DURATION', help: 'the longest delay (default 10m)' },
  'max-run-seconds': { type: 'string', arg: 'DURATION', help: 'a run longer than this is stopped (timed_out)' },
  'stall-seconds': { type: 'string', arg: 'DURATION', help: 'a run silent this long is stopped (stalled)' },
  'kill-grace-seconds': { type: 'string', arg: 'DURATION', help: 'from the stop signal to the kill' },
  'unique-arg': {
    type: 'list',
    arg: 'A',
    help: "unique key: the spider and these arguments (--unique-arg '' : the spider alone)",
  },
  'start-rate': { type: 'string', arg: 'COUNT/SECONDS', help: 'at most COUNT starts per SECONDS' },
  'json-body': { ...JSON_BODY_FLAG, help: `${JSON_BODY_FLAG.help} (docs/cluster.md)` },
  'allow-unknown-project': { type: 'boolean', help: 'set or patch the policy of a project deployed later' },
  'allow-unknown-spider': { type: 'boolean', help: 'set or patch the policy of a spider deployed later' },
};

const ALLOW = ['allow-unknown-project', 'allow-unknown-spider'];

/** A field of numbers or durations: undefined when absent, null for `inherit`. */
function inheritable(c: Ctx, flag: string, parse: (flag: string, raw: string) => number): number | null | undefined {
  const raw = c.str(flag);
  return raw === undefined ? undefined : raw === INHERIT ? null : parse(flag, raw);
}

/** A list field: undefined when absent, null for `inherit`, `''` alone for the empty list. */
function listField(values: string[] | undefined): string[] | null | undefined {
  if (values === undefined) return undefined;
  if (values.length === 1 && values[0] === INHERIT) return null;
  return commaList(values);
}

function startRate(raw: string | undefined): { count: number; periodSeconds: number } | null | undefined {
  if (raw === undefined || raw === INHERIT) return raw === undefined ? undefined : null;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m) throw new UsageError(`--start-rate takes COUNT/SECONDS (e.g. 10/60), not '${raw}'`);
  return { count: Number(m[1]), periodSeconds: Number(m[2]) };
}

/** The policy fields the flags set (absent flags are left out: `patch` keeps them, `set` clears them). */
function fieldsOf(c: Ctx): Record<string, unknown> {
  return defined({
    tags: listField(c.list('tag')),
    maxRunning: inheritable(c, 'max-running', numberValue),
    retries: inheritable(c, 'retries', numberValue),
    retryOn: listField(c.list('retry-on')),
    retryBackoffSeconds: inheritable(c, 'retry-backoff-seconds', durationValue),
    retryBackoffMaxSeconds: inheritable(c, 'retry-backoff-max-seconds', durationValue),
    maxRunSeconds: inheritable(c, 'max-run-seconds', durationValue),
    stallSeconds: inheritable(c, 'stall-seconds', durationValue),
    killGraceSeconds: inheritable(c, 'kill-grace-seconds', durationValue),
    uniqueArgs: listField(c.list('unique-arg')),
    startRate: startRate(c.str('start-rate')),
  });
}

/** One line per field: its value, or `(inherit)`. */
function policyLines(p: PlacementPolicy): string {
  const show = (x: unknown) =>
    x === null
      ? '(inherit)'
      : Array.isArray(x)
        ? x.join(',') || "''"
        : typeof x === 'object'
          ? `${(x as { count: number }).count}/${(x as { periodSeconds: number }).periodSeconds}`
          : String(x);
  return table([['FIELD', 'VALUE'], ...Object.entries(p).map(([k, x]) => [k, show(x)])]);
}

const target = (c: Ctx) => c.args.join('/');

function policyPath(c: Ctx): string {
  const [project, spider] = c.args.map(encodeURIComponent);
  const q = new URLSearchParams();
  if (c.bool('allow-unknown-project')) q.set('allow_unknown_project', '1');
  if (c.bool('allow-unknown-spider')) q.set('allow_unknown_spider', '1');
  return `/projects/${project}${spider === undefined ? '' : `/spiders/${spider}`}/policy${q.size > 0 ? `?${q}` : ''}`;
}

const write = (name: 'set' | 'patch', summary: string): Sub => ({
  name,
  args: ['PROJECT', '[SPIDER]'],
  usage: '[fields]',
  summary,
  flags: Object.keys(FLAGS),
  check(c) {
    const given = c.given.filter((f) => !ALLOW.includes(f));
    if (name === 'patch' && given.length === 0) {
      throw new UsageError('nothing to patch: give the fields to change');
    }
  },
  method: name === 'set' ? 'PUT' : 'PATCH',
  path: policyPath,
  body: (c) => bodyOf(c, ALLOW, () => fieldsOf(c)),
  print: (a, c) => `${name === 'set' ? 'set' : 'patched'}: ${target(c)}\n${policyLines(PlacementPolicy.parse(a))}`,
  output: PlacementPolicy,
});

export const POLICY_COMMAND: Command = {
  name: 'policy',
  summary: 'Project and spider policies: placement, limits, retries, uniqueness, start rate (unset: inherited).',
  flags: FLAGS,
  notes:
    'Fields not set inherit: spider < project < master. The value inherit clears one field (e.g. --max-running\n' +
    'inherit). DURATION: 90, 90s, 5m, 2h.',
  subs: [
    {
      name: 'get',
      args: ['PROJECT', '[SPIDER]'],
      summary: 'the stored policy',
      method: 'GET',
      path: policyPath,
      print: (a) => policyLines(PlacementPolicy.parse(a)),
      output: PlacementPolicy,
    },
    write('set', 'replace the whole policy: fields not given are cleared (inherit)'),
    write('patch', 'change only the fields given, keep the rest'),
    {
      name: 'delete',
      args: ['PROJECT', '[SPIDER]'],
      summary: 'forget the policy (everything inherits)',
      method: 'DELETE',
      path: policyPath,
      print: (_a, c) => `deleted: ${target(c)}`,
      json: deleted,
      output: DELETED,
    },
  ],
};
