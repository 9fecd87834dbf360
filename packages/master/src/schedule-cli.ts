/**
 * `scrapyard-master schedule …`: schedules through the running master's REST API (the master validates and
 * stores; this turns flags into the JSON body and the answer into a table).
 */
import { parseArgs } from 'node:util';
import { FirePage, FireTimes, Schedule, ScheduleFire, ScheduleList } from '@scrapyard/protocol';
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, CliError, adminClient, table } from './admin-client.js';
import { defined, num, when } from './cli-values.js';

export const SCHEDULE_HELP = `Usage: scrapyard-master schedule <command> [options]

Commands:
  list [--project P]            schedules with their next fire and last result
  show ID                       one schedule (JSON)
  create --project P --spider S (--cron EXPR | --every SECONDS) [fields]
  update ID [fields]            change the given fields
  pause ID | resume ID          stop / restart firing (paused fires are recorded as skipped)
  delete ID                     delete the schedule and its history (its jobs stay)
  run ID                        fire now, whatever the pause and overlap settings
  next ID [--count N]           the next N fire times (default 5)
  fires ID [--limit N]          history, newest first: each fire's status, reason and job
  preview (--cron EXPR | --every SECONDS) [--timezone TZ] [--count N]
                                the next fires of an expression, before saving it

Fields:
  --name NAME  --project P  --spider S  --cron EXPR  --every SECONDS  --timezone TZ (IANA, default UTC)
  --version V  --arg KEY=VALUE…  --setting KEY=VALUE…  --tag T…  --priority N  --jitter SECONDS
  --start ISO  --end ISO  --paused  --enabled  --overlap allow|forbid|replace|queue (default forbid)
  --misfire skip|run_once|backfill (default run_once)  --misfire-grace SECONDS (default 60)
  --backfill-window SECONDS (default 3600)  --backfill-max N (default 10)  --policy JSON

Options:
${ADMIN_OPTIONS_HELP}`;

const OPTIONS = {
  ...ADMIN_OPTIONS,
  name: { type: 'string' },
  project: { type: 'string' },
  spider: { type: 'string' },
  cron: { type: 'string' },
  every: { type: 'string' },
  timezone: { type: 'string' },
  version: { type: 'string' },
  arg: { type: 'string', multiple: true },
  setting: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  priority: { type: 'string' },
  jitter: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  paused: { type: 'boolean' },
  enabled: { type: 'boolean' },
  overlap: { type: 'string' },
  misfire: { type: 'string' },
  'misfire-grace': { type: 'string' },
  'backfill-window': { type: 'string' },
  'backfill-max': { type: 'string' },
  policy: { type: 'string' },
  count: { type: 'string' },
  limit: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function pairs(flag: string, list: string[] | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError(`--${flag} takes KEY=VALUE, not '${item}'`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** The schedule fields the flags set (absent flags are left out, so `update` changes only those). */
function fieldsOf(v: Values): Record<string, unknown> {
  if (v.paused && v.enabled) throw new CliError('--paused and --enabled contradict each other');
  let policy: unknown;
  if (v.policy !== undefined) {
    try {
      policy = JSON.parse(v.policy);
    } catch {
      throw new CliError('--policy must be a JSON object');
    }
  }
  const body: Record<string, unknown> = {
    name: v.name,
    project: v.project,
    spider: v.spider,
    cron: v.cron,
    intervalSeconds: num('every', v.every),
    timezone: v.timezone,
    version: v.version,
    args: pairs('arg', v.arg),
    settings: pairs('setting', v.setting),
    tags: v.tag,
    priority: num('priority', v.priority),
    jitterSeconds: num('jitter', v.jitter),
    startAt: v.start,
    endAt: v.end,
    enabled: v.paused ? false : v.enabled ? true : undefined,
    overlap: v.overlap,
    misfire: v.misfire,
    misfireGraceSeconds: num('misfire-grace', v['misfire-grace']),
    backfillWindowSeconds: num('backfill-window', v['backfill-window']),
    backfillMax: num('backfill-max', v['backfill-max']),
    policy,
  };
  // Switching between cron and interval clears the other.
  if (v.cron !== undefined && v.every === undefined) body.intervalSeconds = null;
  if (v.every !== undefined && v.cron === undefined) body.cron = null;
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

/** Runs a schedule subcommand; returns the exit code. */
export async function runScheduleCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
    const [command, rawId, ...extra] = positionals;
    if (values.help || !command) {
      out(SCHEDULE_HELP);
      return values.help ? 0 : 2;
    }
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    const api = adminClient(values, env);
    const id = () => {
      if (!rawId) throw new CliError(`${command} needs a schedule id`);
      return encodeURIComponent(rawId);
    };
    const show = (s: Schedule, verb: string) =>
      out(
        values.json ? JSON.stringify(s) : `${verb}: ${s.id}${s.nextFireAt ? `, next fire ${when(s.nextFireAt)}` : ''}`,
      );
    const showTimes = (r: unknown) => {
      const t = FireTimes.parse(r);
      if (!values.json && t.description) out(t.description);
      out(values.json ? JSON.stringify(t) : t.fires.map((f) => `${when(f.at)}  ${f.local}`).join('\n'));
    };
    switch (command) {
      case 'list': {
        const q = values.project ? `?project=${encodeURIComponent(values.project)}` : '';
        const { schedules } = ScheduleList.parse(await api('GET', `/schedules${q}`));
        out(values.json ? JSON.stringify(schedules) : scheduleTable(schedules));
        return 0;
      }
      case 'show':
        out(JSON.stringify(Schedule.parse(await api('GET', `/schedules/${id()}`)), null, values.json ? undefined : 2));
        return 0;
      case 'create':
        show(Schedule.parse(await api('POST', '/schedules', fieldsOf(values))), 'created');
        return 0;
      case 'update':
        show(Schedule.parse(await api('PATCH', `/schedules/${id()}`, fieldsOf(values))), 'updated');
        return 0;
      case 'pause':
      case 'resume':
        show(Schedule.parse(await api('POST', `/schedules/${id()}/${command}`)), `${command}d`);
        return 0;
      case 'delete':
        await api('DELETE', `/schedules/${id()}`);
        out(values.json ? JSON.stringify({ deleted: rawId }) : `deleted: ${rawId}`);
        return 0;
      case 'run': {
        const r = await api('POST', `/schedules/${id()}/run`);
        const fire = ScheduleFire.parse((r as { fire: unknown }).fire);
        out(
          values.json
            ? JSON.stringify(fire)
            : `fired: ${fire.status}${fire.jobId ? `, job ${fire.jobId}` : ''}${fire.reason ? ` (${fire.reason})` : ''}`,
        );
        return 0;
      }
      case 'next':
        showTimes(await api('GET', `/schedules/${id()}/next?count=${num('count', values.count) ?? 5}`));
        return 0;
      case 'fires': {
        const page = FirePage.parse(
          await api('GET', `/schedules/${id()}/fires?limit=${num('limit', values.limit) ?? 20}`),
        );
        out(values.json ? JSON.stringify(page.fires) : fireTable(page.fires));
        return 0;
      }
      case 'preview': {
        const body = defined({
          cron: values.cron,
          intervalSeconds: num('every', values.every),
          timezone: values.timezone,
          startAt: values.start,
          endAt: values.end,
          count: num('count', values.count),
        });
        showTimes(await api('POST', '/schedules/preview', body));
        return 0;
      }
      default:
        throw new CliError(`unknown schedule command "${command}"\n\n${SCHEDULE_HELP}`);
    }
  } catch (e) {
    process.stderr.write(`scrapyard-master schedule: ${(e as Error).message}\n`);
    return e instanceof CliError ? 1 : 2;
  }
}
