/**
 * `scrapyard-master schedule …`: schedules through the running master's REST API (the master validates and
 * stores; this turns flags into the JSON body and the answer into a table). A schedule is named by its id or its
 * unique name.
 */
import { FirePage, FireTimes, RunNowResponse, Schedule, ScheduleFire, ScheduleList } from '@scrapyard/protocol';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { Command, Ctx, Flags, Resource, Sub } from '../spec.js';
import { defined, pairs, table, when } from '../values.js';
import { DELETED, deleted } from './shared.js';

export const SCHEDULE: Resource = { noun: 'schedule', list: '/schedules', key: 'schedules', idPattern: /^sch-/ };

const FLAGS: Flags = {
  name: { type: 'string', arg: 'NAME', help: 'a unique name, usable instead of the id' },
  project: { type: 'string', arg: 'P', help: 'the project (list: only its schedules)' },
  spider: { type: 'string', arg: 'S', help: 'the spider' },
  cron: { type: 'string', arg: 'EXPR', help: 'a cron expression (5 fields, or 6 with seconds first)' },
  every: { type: 'duration', arg: 'DURATION', help: 'fire every DURATION instead (90, 90s, 5m, 2h)' },
  timezone: { type: 'string', arg: 'TZ', help: 'IANA time zone of the cron expression (default UTC)' },
  version: { type: 'string', arg: 'V', help: 'the project version to run (default: the latest at each fire)' },
  arg: { type: 'list', arg: 'KEY=VALUE', help: 'a spider argument (repeatable)' },
  setting: { type: 'list', arg: 'KEY=VALUE', help: 'a Scrapy setting (repeatable)' },
  tag: { type: 'list', arg: 'T', help: 'a tag the agent must have (repeatable)' },
  priority: { type: 'number', arg: 'N', help: "the jobs' priority" },
  jitter: { type: 'duration', arg: 'DURATION', help: 'a random delay of up to DURATION for each fire' },
  start: { type: 'string', arg: 'ISO', help: 'no fire before this time' },
  end: { type: 'string', arg: 'ISO', help: 'no fire after this time' },
  paused: { type: 'boolean', help: 'create or update it paused' },
  enabled: { type: 'boolean', help: 'update: enable it' },
  overlap: { type: 'string', arg: 'POLICY', help: 'allow|forbid|replace|queue: a fire while the last job runs' },
  misfire: { type: 'string', arg: 'POLICY', help: 'skip|run_once|backfill: fires missed while down (run_once)' },
  'misfire-grace': { type: 'duration', arg: 'DURATION', help: 'a fire this late still runs (default 60s)' },
  'backfill-window': { type: 'duration', arg: 'DURATION', help: 'how far back backfill looks (default 1h)' },
  'backfill-max': { type: 'number', arg: 'N', help: 'backfill fires at most N (default 10)' },
  policy: { type: 'string', arg: 'JSON', help: "the jobs' policy override, a JSON object" },
  count: { type: 'number', arg: 'N', help: 'next, preview: how many fire times (default 5)' },
  limit: { type: 'number', arg: 'N', help: 'fires: how many, newest first (default 20)' },
};

const FIELDS = Object.keys(FLAGS).filter((f) => f !== 'count' && f !== 'limit');

/** The schedule fields the flags set (absent flags are left out, so `update` changes only those). */
function fieldsOf(c: Ctx): Record<string, unknown> {
  if (c.bool('paused') && c.bool('enabled')) throw new UsageError('--paused and --enabled contradict each other');
  let policy: unknown;
  const rawPolicy = c.str('policy');
  if (rawPolicy !== undefined) {
    try {
      policy = JSON.parse(rawPolicy);
    } catch {
      throw new UsageError('--policy: not a JSON object');
    }
  }
  const body: Record<string, unknown> = {
    name: c.str('name'),
    project: c.str('project'),
    spider: c.str('spider'),
    cron: c.str('cron'),
    intervalSeconds: c.num('every'),
    timezone: c.str('timezone'),
    version: c.str('version'),
    args: pairs('arg', c.list('arg')),
    settings: pairs('setting', c.list('setting')),
    tags: c.list('tag'),
    priority: c.num('priority'),
    jitterSeconds: c.num('jitter'),
    startAt: c.str('start'),
    endAt: c.str('end'),
    enabled: c.bool('paused') ? false : c.bool('enabled') ? true : undefined,
    overlap: c.str('overlap'),
    misfire: c.str('misfire'),
    misfireGraceSeconds: c.num('misfire-grace'),
    backfillWindowSeconds: c.num('backfill-window'),
    backfillMax: c.num('backfill-max'),
    policy,
  };
  // Switching between cron and interval clears the other.
  if (c.has('cron') && !c.has('every')) body.intervalSeconds = null;
  if (c.has('every') && !c.has('cron')) body.cron = null;
  return defined(body);
}

function scheduleTable(list: Schedule[]): string {
  const rows = [['ID', 'NAME', 'PROJECT/SPIDER', 'WHEN', 'TZ', 'STATE', 'OVERLAP', 'NEXT', 'LAST']];
  for (const s of list) {
    rows.push([
      s.id,
      s.name ?? '-',
      `${s.project}/${s.spider}`,
      s.cron ?? `every ${s.intervalSeconds} s`,
      s.timezone,
      s.enabled ? 'enabled' : 'paused',
      s.overlap,
      when(s.nextFireAt),
      s.lastFire ? `${s.lastFire.status}${s.lastFire.reasonCode ? ` (${s.lastFire.reasonCode})` : ''}` : '-',
    ]);
  }
  return table(rows);
}

function fireTable(fires: ScheduleFire[]): string {
  const rows = [['SCHEDULED', 'FIRED', 'TRIGGER', 'STATUS', 'JOB', 'REASON']];
  for (const f of fires) {
    rows.push([when(f.scheduledAt), when(f.firedAt), f.trigger, f.status, f.jobId ?? '-', f.reason ?? '']);
  }
  return table(rows);
}

const saved = (verb: string) => (a: unknown) => {
  const s = Schedule.parse(a);
  return `${verb}: ${s.id}${s.nextFireAt ? `, next fire ${when(s.nextFireAt)}` : ''}`;
};

const times = (a: unknown) => {
  const t = FireTimes.parse(a);
  return [t.description ?? [], t.fires.map((f) => `${when(f.at)}  ${f.local}`)].flat().join('\n');
};

/** A subcommand on one schedule. */
const onOne = (s: Omit<Sub, 'args' | 'resource'>): Sub => ({ ...s, args: ['ID|NAME'], resource: SCHEDULE });

const stateChange = (name: 'pause' | 'resume', summary: string): Sub =>
  onOne({
    name,
    summary,
    method: 'POST',
    path: (c) => `/schedules/${c.id}/${name}`,
    print: saved(`${name}d`),
    output: Schedule,
  });

export const SCHEDULE_COMMAND: Command = {
  name: 'schedule',
  summary: 'Schedules: crawls started by cron or at an interval. ID|NAME: its id or its unique name.',
  flags: FLAGS,
  subs: [
    {
      name: 'list',
      usage: '[--project P]',
      summary: 'schedules with their next fire and last result',
      flags: ['project'],
      method: 'GET',
      path: (c) => `/schedules${c.has('project') ? `?project=${encodeURIComponent(c.str('project')!)}` : ''}`,
      print: (a) => scheduleTable(ScheduleList.parse(a).schedules),
      json: (a) => ScheduleList.parse(a).schedules,
      output: z.array(Schedule),
    },
    onOne({
      name: 'show',
      summary: 'one schedule (JSON)',
      method: 'GET',
      path: (c) => `/schedules/${c.id}`,
      print: (a) => JSON.stringify(Schedule.parse(a), null, 2),
      output: Schedule,
    }),
    {
      name: 'create',
      usage: '--project P --spider S (--cron EXPR | --every DURATION) [fields]',
      summary: 'add a schedule',
      flags: FIELDS,
      method: 'POST',
      path: () => '/schedules',
      body: fieldsOf,
      print: saved('created'),
      output: Schedule,
    },
    onOne({
      name: 'update',
      usage: '[fields]',
      summary: 'change the given fields',
      flags: FIELDS,
      method: 'PATCH',
      path: (c) => `/schedules/${c.id}`,
      body: fieldsOf,
      print: saved('updated'),
      output: Schedule,
    }),
    stateChange('pause', 'stop firing (paused fires are recorded as skipped)'),
    stateChange('resume', 'restart firing'),
    onOne({
      name: 'delete',
      summary: 'delete the schedule and its history (its jobs stay)',
      method: 'DELETE',
      path: (c) => `/schedules/${c.id}`,
      print: (_a, c) => `deleted: ${c.args[0]}`,
      json: deleted,
      output: DELETED,
    }),
    onOne({
      name: 'run',
      summary: 'fire now, whatever the pause and overlap settings',
      method: 'POST',
      path: (c) => `/schedules/${c.id}/run`,
      print(a) {
        const { fire } = RunNowResponse.parse(a);
        return `fired: ${fire.status}${fire.jobId ? `, job ${fire.jobId}` : ''}${fire.reason ? ` (${fire.reason})` : ''}`;
      },
      json: (a) => RunNowResponse.parse(a).fire,
      output: ScheduleFire,
    }),
    onOne({
      name: 'next',
      usage: '[--count N]',
      summary: 'the next N fire times (default 5)',
      flags: ['count'],
      method: 'GET',
      path: (c) => `/schedules/${c.id}/next?count=${c.num('count') ?? 5}`,
      print: times,
      output: FireTimes,
    }),
    onOne({
      name: 'fires',
      usage: '[--limit N]',
      summary: "history, newest first: each fire's status, reason and job",
      flags: ['limit'],
      method: 'GET',
      path: (c) => `/schedules/${c.id}/fires?limit=${c.num('limit') ?? 20}`,
      print: (a) => fireTable(FirePage.parse(a).fires),
      json: (a) => FirePage.parse(a).fires,
      output: z.array(ScheduleFire),
    }),
    {
      name: 'preview',
      usage: '(--cron EXPR | --every DURATION) [--timezone TZ] [--count N]',
      summary: 'the next fires of an expression, before saving it',
      flags: ['cron', 'every', 'timezone', 'start', 'end', 'count'],
      method: 'POST',
      path: () => '/schedules/preview',
      body: (c) =>
        defined({
          cron: c.str('cron'),
          intervalSeconds: c.num('every'),
          timezone: c.str('timezone'),
          startAt: c.str('start'),
          endAt: c.str('end'),
          count: c.num('count'),
        }),
      print: times,
      output: FireTimes,
    },
  ],
};
