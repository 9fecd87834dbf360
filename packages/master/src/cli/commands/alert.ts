/**
 * `scrapyard-master alert …`: alert rules and alerts through the running master's REST API. Flags become the JSON
 * body, checked here against the same schema the master applies (a bad threshold fails before anything is sent);
 * answers become tables.
 */
import { parseArgs } from 'node:util';
import {
  ALERT_RULE_KINDS,
  AlertPage,
  AlertRule,
  AlertRuleList,
  CreateAlertRuleRequest,
  UpdateAlertRuleRequest,
  type Alert,
} from '@scrapyard/protocol';
import type { z } from 'zod';
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, CliError, adminClient, table } from '../admin-client.js';
import { commaList, defined, either, num, when } from '../values.js';
import { readJsonBody } from './targets.js';

export const ALERT_HELP = `Usage: scrapyard-master alert <command> [options]

Commands:
  list                          alert rules with their condition, channels and state
  show ID                       one rule
  create --name N --kind K [fields]   add a rule (also: add)
  update ID [fields]            change the given fields (condition flags are merged into the rule's condition)
  delete ID                     delete the rule and its alerts (also: remove)
  mute ID --for DURATION        send nothing for the rule's alerts for a while (30s, 10m, 2h, 1d)
  unmute ID
  alerts [--state pending|firing|resolved|active] [--rule ID] [--limit N]
                                alerts, newest first (default 20)
  mute-alert ID --for DURATION  mute one alert
  unmute-alert ID

Fields:
  --name NAME
  --kind KIND            ${ALERT_RULE_KINDS.join(', ')}
  --project P  --spider S        job rules: which crawls (default all)
  --outcome O…           job_outcome: failed, timed_out, stalled, lost, start_failed, cancelled (or --outcomes)
  --min-items N  --min-percent-of-median P  --baseline-runs K          job_items
  --max-errors N  --http-status 404|5xx  --max-status-percent P         job_errors
  --node ID  --resource cpu|memory|disk  --above-percent P              node_offline, node_resource
  --schedule ID  --on missed,skipped,failed                             schedule_fire
  --channel ID…          channels notified (repeatable or comma-separated)
  --for-seconds DURATION how long the condition holds before the alert fires (default 0)
  --repeat DURATION | --no-repeat   how often a firing alert's notice repeats (default 4h; or --repeat-seconds)
  --send-resolved | --no-send-resolved   a message when it resolves (default yes)
  --disabled (create)  --enable | --disable (update)
  --json-body FILE       create/update: send this file's JSON as the body (- for stdin) instead of the field flags

Options:
${ADMIN_OPTIONS_HELP}
  --master-url URL the same as --url (as in scrapyard-master webhook and channel)`;

const OPTIONS = {
  ...ADMIN_OPTIONS,
  'master-url': { type: 'string' },
  'json-body': { type: 'string' },
  state: { type: 'string' },
  rule: { type: 'string' },
  limit: { type: 'string' },
  for: { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string' },
  project: { type: 'string' },
  spider: { type: 'string' },
  outcome: { type: 'string', multiple: true },
  outcomes: { type: 'string', multiple: true },
  'min-items': { type: 'string' },
  'min-percent-of-median': { type: 'string' },
  'baseline-runs': { type: 'string' },
  'max-errors': { type: 'string' },
  'http-status': { type: 'string' },
  'max-status-percent': { type: 'string' },
  node: { type: 'string' },
  resource: { type: 'string' },
  'above-percent': { type: 'string' },
  schedule: { type: 'string' },
  on: { type: 'string', multiple: true },
  channel: { type: 'string', multiple: true },
  'for-seconds': { type: 'string' },
  repeat: { type: 'string' },
  'repeat-seconds': { type: 'string' },
  'no-repeat': { type: 'boolean' },
  'send-resolved': { type: 'boolean' },
  'no-send-resolved': { type: 'boolean' },
  disabled: { type: 'boolean' },
  enable: { type: 'boolean' },
  disable: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Flags of the condition, by their field name in it. */
const CONDITION_FLAGS = {
  project: 'project',
  spider: 'spider',
  outcome: 'outcomes',
  'min-items': 'minItems',
  'min-percent-of-median': 'minPercentOfMedian',
  'baseline-runs': 'baselineRuns',
  'max-errors': 'maxErrors',
  'http-status': 'httpStatus',
  'max-status-percent': 'maxStatusPercent',
  node: 'node',
  resource: 'resource',
  'above-percent': 'abovePercent',
  schedule: 'schedule',
  on: 'on',
} as const;
const NUMERIC = new Set([
  'min-items',
  'min-percent-of-median',
  'baseline-runs',
  'max-errors',
  'max-status-percent',
  'above-percent',
]);
/** Flags of the list and mute commands: not fields of a rule. */
const NOT_FIELDS = new Set([...Object.keys(ADMIN_OPTIONS), 'master-url', 'json-body', 'state', 'rule', 'limit', 'for']);
/** Other names of commands and flags, taken as the first. */
const COMMAND_ALIASES: Record<string, string> = { add: 'create', remove: 'delete' };
const FLAG_ALIASES = [
  ['url', 'master-url'],
  ['outcome', 'outcomes'],
  ['repeat', 'repeat-seconds'],
] as const;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** Seconds from `90`, `30s`, `10m`, `2h` or `1d`. */
export function seconds(flag: string, raw: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!m) throw new CliError(`--${flag} must be a duration like 90, 30s, 10m, 2h or 1d, not '${raw}'`);
  return Number(m[1]) * UNITS[m[2] || 's']!;
}

/** The condition fields the flags give (absent flags left out). */
function conditionFlags(v: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(CONDITION_FLAGS)) {
    const raw = v[flag as keyof typeof CONDITION_FLAGS];
    if (raw === undefined) continue;
    if (Array.isArray(raw)) out[field] = commaList(raw);
    else out[field] = NUMERIC.has(flag) ? num(flag, raw) : raw === '' ? null : raw;
  }
  return out;
}

/** The rule fields besides the condition. */
function ruleFields(v: Values): Record<string, unknown> {
  if (v.repeat !== undefined && v['no-repeat']) throw new CliError('--repeat and --no-repeat contradict each other');
  return {
    name: v.name,
    channels: commaList(v.channel),
    forSeconds: v['for-seconds'] === undefined ? undefined : seconds('for-seconds', v['for-seconds']),
    repeatSeconds: v['no-repeat'] ? null : v.repeat === undefined ? undefined : seconds('repeat', v.repeat),
    sendResolved: either(v['send-resolved'], v['no-send-resolved'], ['send-resolved', 'no-send-resolved']),
  };
}

/** Checks a body against the master's schema, so a bad value is named before anything is sent. */
function checked<T extends z.ZodType>(schema: T, body: unknown): unknown {
  const r = schema.safeParse(body);
  if (r.success) return body;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new CliError(`invalid rule: ${problems.join('; ')}`);
}

function describe(c: AlertRule['condition']): string {
  const scope = 'project' in c ? (c.project ? `${c.project}/${c.spider ?? '*'}` : '*') : '';
  switch (c.kind) {
    case 'node_offline':
      return `node ${c.node ?? '*'} offline`;
    case 'node_resource':
      return `node ${c.node ?? '*'} ${c.resource} > ${c.abovePercent}%`;
    case 'job_outcome':
      return `${scope} outcome in ${c.outcomes.join(',')}`;
    case 'job_items':
      return [
        `${scope} items`,
        c.minItems === undefined ? '' : ` < ${c.minItems}`,
        c.minPercentOfMedian === undefined ? '' : ` < ${c.minPercentOfMedian}% of median of ${c.baselineRuns}`,
      ].join('');
    case 'job_errors':
      return [
        `${scope}`,
        c.maxErrors === undefined ? '' : ` errors > ${c.maxErrors}`,
        c.httpStatus === undefined ? '' : ` HTTP ${c.httpStatus} > ${c.maxStatusPercent}%`,
      ].join('');
    case 'schedule_fire':
      return `schedule ${c.schedule ?? '*'} ${c.on.join(',')}`;
  }
}

const duration = (s: number | null) => (s === null ? 'never' : `${s} s`);
const muted = (until: number | null) => (until !== null && until > Date.now() ? `muted until ${when(until)}` : '');

function ruleTable(rules: AlertRule[]): string {
  const rows = [['ID', 'NAME', 'KIND', 'CONDITION', 'CHANNELS', 'FOR', 'REPEAT', 'STATE']];
  for (const r of rules) {
    rows.push([
      r.id,
      r.name,
      r.condition.kind,
      describe(r.condition),
      r.channels.join(',') || '-',
      `${r.forSeconds} s`,
      duration(r.repeatSeconds),
      [r.enabled ? 'enabled' : 'disabled', muted(r.mutedUntil)].filter(Boolean).join(', '),
    ]);
  }
  return table(rows);
}

function showRule(r: AlertRule): string {
  return table([
    ['id', r.id],
    ['name', r.name],
    ['kind', r.condition.kind],
    ['condition', describe(r.condition)],
    ['channels', r.channels.join(', ') || '-'],
    ['for', `${r.forSeconds} s`],
    ['repeat', duration(r.repeatSeconds)],
    ['send resolved', r.sendResolved ? 'yes' : 'no'],
    ['state', r.enabled ? 'enabled' : 'disabled'],
    ['muted until', when(r.mutedUntil)],
    ['created', when(r.createdAt)],
    ['updated', when(r.updatedAt)],
  ]);
}

function alertTable(alerts: Alert[]): string {
  const rows = [['ID', 'RULE', 'STATE', 'SUBJECT', 'SUMMARY', 'SINCE', 'NOTICES', 'MUTED']];
  for (const a of alerts) {
    rows.push([
      a.id,
      a.ruleId,
      a.state,
      a.subject,
      a.summary,
      when(a.firedAt ?? a.startedAt),
      String(a.notices),
      muted(a.mutedUntil) || '-',
    ]);
  }
  return table(rows);
}

/** Runs an alert subcommand; returns the exit code. */
export async function runAlertCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    const { values: v, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
    for (const [name, alias] of FLAG_ALIASES) {
      if (v[alias] === undefined) continue;
      if (v[name] !== undefined) throw new CliError(`--${name} and --${alias} are the same flag: give one`);
      Object.assign(v, { [name]: v[alias] });
      delete v[alias];
    }
    const [given, rawId, ...extra] = positionals;
    const command = given === undefined ? undefined : (COMMAND_ALIASES[given] ?? given);
    if (v.help || !command) {
      out(ALERT_HELP);
      return v.help ? 0 : 2;
    }
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    const id = () => {
      if (!rawId) throw new CliError(`${command} needs an id`);
      return encodeURIComponent(rawId);
    };
    if (v.for !== undefined && !command.startsWith('mute')) {
      throw new CliError(`--for is for mute and mute-alert (a rule's pending time is --for-seconds)`);
    }
    const fieldFlags = Object.keys(v).filter((k) => !NOT_FIELDS.has(k));
    if (!['create', 'update'].includes(command) && fieldFlags.length > 0) {
      throw new CliError(`${command} takes no --${fieldFlags.join(', --')}`);
    }
    const body = async (fromFlags: () => Promise<unknown> | unknown) => {
      if (v['json-body'] === undefined) return fromFlags();
      if (fieldFlags.length > 0) {
        throw new CliError(`--json-body replaces the field flags: drop --${fieldFlags.join(', --')}`);
      }
      return readJsonBody(v['json-body']);
    };
    const forSeconds = () => {
      if (v.for === undefined) throw new CliError(`${command} needs --for DURATION (e.g. 30m)`);
      return { seconds: seconds('for', v.for) };
    };
    const print = (answer: unknown, human: (a: unknown) => string) =>
      out(v.json ? JSON.stringify(answer) : human(answer));
    const rule = (a: unknown) => showRule(AlertRule.parse((a as { rule: unknown }).rule));
    const api = adminClient(v, env);
    switch (command) {
      case 'list':
        print(await api('GET', '/alert-rules'), (a) => ruleTable(AlertRuleList.parse(a).rules));
        return 0;
      case 'show':
        print(await api('GET', `/alert-rules/${id()}`), rule);
        return 0;
      case 'create': {
        const b = await body(() => {
          if (v.enable || v.disable) {
            throw new CliError('create takes --disabled (--enable and --disable are for update)');
          }
          if (v.kind === undefined) throw new CliError(`create needs --kind (${ALERT_RULE_KINDS.join(', ')})`);
          return defined({
            ...ruleFields(v),
            condition: { kind: v.kind, ...conditionFlags(v) },
            enabled: v.disabled ? false : undefined,
          });
        });
        print(await api('POST', '/alert-rules', checked(CreateAlertRuleRequest, b)), (a) => `created: ${rule(a)}`);
        return 0;
      }
      case 'update': {
        const path = `/alert-rules/${id()}`;
        const b = await body(async () => {
          if (v.disabled) throw new CliError('update takes --enable or --disable (--disabled is for create)');
          const changes = conditionFlags(v);
          let condition: unknown;
          if (v.kind !== undefined) condition = { kind: v.kind, ...changes };
          else if (Object.keys(changes).length > 0) {
            const current = AlertRule.parse(((await api('GET', path)) as { rule: unknown }).rule);
            condition = { ...current.condition, ...changes };
          }
          const fields = defined({
            ...ruleFields(v),
            condition,
            enabled: either(v.enable, v.disable, ['enable', 'disable']),
          });
          if (Object.keys(fields).length === 0) {
            throw new CliError('nothing to update: give the fields to change (see scrapyard-master alert --help)');
          }
          return fields;
        });
        print(await api('PATCH', path, checked(UpdateAlertRuleRequest, b)), (a) => `updated: ${rule(a)}`);
        return 0;
      }
      case 'delete':
        await api('DELETE', `/alert-rules/${id()}`);
        out(v.json ? JSON.stringify({ deleted: rawId }) : `deleted: ${rawId}`);
        return 0;
      case 'mute':
        print(await api('POST', `/alert-rules/${id()}/mute`, forSeconds()), rule);
        return 0;
      case 'unmute':
        print(await api('POST', `/alert-rules/${id()}/unmute`), rule);
        return 0;
      case 'alerts': {
        const q = new URLSearchParams({ limit: String(num('limit', v.limit) ?? 20) });
        if (v.state !== undefined) q.set('state', v.state);
        if (v.rule !== undefined) q.set('rule', v.rule);
        print(await api('GET', `/alerts?${q}`), (a) => alertTable(AlertPage.parse(a).alerts));
        return 0;
      }
      case 'mute-alert':
      case 'unmute-alert': {
        const verb = command === 'mute-alert' ? 'mute' : 'unmute';
        const answer = await api('POST', `/alerts/${id()}/${verb}`, verb === 'mute' ? forSeconds() : undefined);
        print(answer, (a) => alertTable([(a as { alert: Alert }).alert]));
        return 0;
      }
      default:
        throw new CliError(`unknown alert command "${command}"\n\n${ALERT_HELP}`);
    }
  } catch (e) {
    process.stderr.write(`scrapyard-master alert: ${(e as Error).message}\n`);
    return e instanceof CliError ? 1 : 2;
  }
}
