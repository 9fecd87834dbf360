/**
 * `scrapyard-master alert …`: alert rules and alerts through the running master's REST API. Flags become the JSON
 * body, checked here against the same schema the master applies (a bad threshold fails before anything is sent).
 */
import {
  ALERT_RULE_KINDS,
  AlertPage,
  AlertResponse,
  AlertRuleList,
  AlertRuleResponse,
  CreateAlertRuleRequest,
  UpdateAlertRuleRequest,
} from '@scrapyard/protocol';
import type { ZodType } from 'zod';
import { CliError, UsageError } from '../errors.js';
import type { Command, Ctx, Flags, Resource, Sub } from '../spec.js';
import { commaList, defined, either } from '../values.js';
import { resolveId } from '../resolve.js';
import { alertTable, ruleTable, showRule } from './alert-format.js';
import { CHANNEL } from './channel.js';
import { SCHEDULE } from './schedule.js';
import { DELETED, JSON_BODY_FLAG, bodyOf, deleted } from './shared.js';

const RULE: Resource = { noun: 'alert rule', list: '/alert-rules', key: 'rules', idPattern: /^ar_/ };

/** Flags of the condition, by their field name in it. */
const CONDITION: Flags = {
  project: { type: 'string', arg: 'P', help: 'job rules: which crawls (default all)' },
  spider: { type: 'string', arg: 'S', help: 'job rules: which spider of --project' },
  outcome: {
    type: 'list',
    arg: 'O',
    help: 'job_outcome: failed, timed_out, stalled, lost, start_failed, cancelled',
  },
  outcomes: { type: 'list', help: '', aliasOf: 'outcome' },
  'min-items': { type: 'number', arg: 'N', help: 'job_items: fewer items than N' },
  'min-percent-of-median': { type: 'number', arg: 'P', help: 'job_items: below P% of the median of recent runs' },
  'baseline-runs': { type: 'number', arg: 'K', help: 'job_items: how many recent runs make the median' },
  'max-errors': { type: 'number', arg: 'N', help: 'job_errors: more error log lines than N' },
  'http-status': { type: 'string', arg: '404|5xx', help: 'job_errors: a share of responses with this status' },
  'max-status-percent': { type: 'number', arg: 'P', help: 'job_errors: … above P%' },
  node: { type: 'string', arg: 'ID', help: 'node_offline, node_resource: which node (default all)' },
  resource: { type: 'string', arg: 'cpu|memory|disk', help: 'node_resource: which resource' },
  'above-percent': { type: 'number', arg: 'P', help: 'node_resource: above P%' },
  schedule: { type: 'string', arg: 'ID|NAME', help: 'schedule_fire: which schedule (default all)' },
  on: { type: 'list', arg: 'missed,skipped,failed', help: 'schedule_fire: which fires' },
};
const FIELD_OF: Record<string, string> = {
  outcome: 'outcomes',
  'min-items': 'minItems',
  'min-percent-of-median': 'minPercentOfMedian',
  'baseline-runs': 'baselineRuns',
  'max-errors': 'maxErrors',
  'http-status': 'httpStatus',
  'max-status-percent': 'maxStatusPercent',
  'above-percent': 'abovePercent',
};

const RULE_FLAGS: Flags = {
  name: { type: 'string', arg: 'NAME', help: "the rule's name" },
  kind: { type: 'string', arg: 'KIND', help: ALERT_RULE_KINDS.join(', ') },
  ...CONDITION,
  channel: { type: 'list', arg: 'ID', help: 'channels notified, by id or name (repeatable or comma-separated)' },
  'for-seconds': {
    type: 'duration',
    arg: 'DURATION',
    help: 'how long the condition holds before the alert fires (default 0)',
  },
  repeat: { type: 'duration', arg: 'DURATION', help: "how often a firing alert's notice repeats (default 4h)" },
  'repeat-seconds': { type: 'duration', help: '', aliasOf: 'repeat' },
  'no-repeat': { type: 'boolean', help: 'notify once' },
  'send-resolved': { type: 'boolean', help: 'a message when it resolves (the default)' },
  'no-send-resolved': { type: 'boolean', help: 'no message when it resolves' },
  disabled: { type: 'boolean', help: 'create: start disabled' },
  enable: { type: 'boolean', help: 'update: enable it' },
  disable: { type: 'boolean', help: 'update: disable it' },
  'json-body': JSON_BODY_FLAG,
};
const FIELDS = Object.keys(RULE_FLAGS).filter((f) => f !== 'json-body' && !RULE_FLAGS[f]!.aliasOf);

const FLAGS: Flags = {
  ...RULE_FLAGS,
  for: {
    type: 'duration',
    arg: 'DURATION',
    help: "mute, mute-alert: how long (a rule's pending time is --for-seconds)",
  },
  state: { type: 'string', arg: 'STATE', help: 'alerts: pending, firing, resolved or active' },
  rule: { type: 'string', arg: 'ID|NAME', help: "alerts: only this rule's" },
  limit: { type: 'number', arg: 'N', help: 'alerts: how many, newest first (default 20)' },
};

/** The condition fields the flags give (absent flags left out; '' clears a text field). */
async function conditionFlags(c: Ctx): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [flag, f] of Object.entries(CONDITION)) {
    if (f.aliasOf || !c.has(flag)) continue;
    const field = FIELD_OF[flag] ?? flag;
    if (f.type === 'list') out[field] = commaList(c.list(flag));
    else if (f.type === 'number') out[field] = c.num(flag);
    else out[field] = c.str(flag) === '' ? null : c.str(flag);
  }
  if (typeof out.schedule === 'string') out.schedule = await resolveId(c.api, SCHEDULE, out.schedule);
  return out;
}

/** The rule fields besides the condition. */
function ruleFields(c: Ctx): Record<string, unknown> {
  if (c.has('repeat') && c.bool('no-repeat')) throw new UsageError('--repeat and --no-repeat contradict each other');
  return {
    name: c.str('name'),
    forSeconds: c.num('for-seconds'),
    repeatSeconds: c.bool('no-repeat') ? null : c.num('repeat'),
    sendResolved: either(c.bool('send-resolved'), c.bool('no-send-resolved'), ['send-resolved', 'no-send-resolved']),
  };
}

/** Checks a body against the master's schema, so a bad value is named before anything is sent. */
function checked(schema: ZodType, body: unknown): unknown {
  const r = schema.safeParse(body);
  if (r.success) return body;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new CliError('BAD_REQUEST', `invalid rule: ${problems.join('; ')}`);
}

/** The channels notified, each by id or unique name. */
async function channelsOf(c: Ctx): Promise<string[] | undefined> {
  const given = commaList(c.list('channel'));
  return given && Promise.all(given.map((x) => resolveId(c.api, CHANNEL, x)));
}

async function createBody(c: Ctx): Promise<unknown> {
  if (c.bool('enable') || c.bool('disable')) {
    throw new UsageError('create takes --disabled (--enable and --disable are for update)');
  }
  const kind = c.str('kind');
  if (kind === undefined) throw new UsageError(`create needs --kind (${ALERT_RULE_KINDS.join(', ')})`);
  return defined({
    ...ruleFields(c),
    channels: await channelsOf(c),
    condition: { kind, ...(await conditionFlags(c)) },
    enabled: c.bool('disabled') ? false : undefined,
  });
}

async function updateBody(c: Ctx): Promise<unknown> {
  if (c.bool('disabled')) throw new UsageError('update takes --enable or --disable (--disabled is for create)');
  const changes = await conditionFlags(c);
  let condition: unknown;
  const kind = c.str('kind');
  if (kind !== undefined) condition = { kind, ...changes };
  else if (Object.keys(changes).length > 0) {
    const current = AlertRuleResponse.parse(await c.api('GET', `/alert-rules/${c.id}`)).rule;
    condition = { ...current.condition, ...changes };
  }
  const fields = defined({
    ...ruleFields(c),
    channels: await channelsOf(c),
    condition,
    enabled: either(c.bool('enable'), c.bool('disable'), ['enable', 'disable']),
  });
  if (Object.keys(fields).length === 0) throw new UsageError('nothing to update: give the fields to change');
  return fields;
}

const rule = (a: unknown) => showRule(AlertRuleResponse.parse(a).rule);

/** A subcommand on one rule. */
const onRule = (s: Omit<Sub, 'args' | 'resource'>): Sub => ({ ...s, args: ['ID|NAME'], resource: RULE });

const onAlert = (name: 'mute-alert' | 'unmute-alert', summary: string): Sub => ({
  name,
  args: ['ID'],
  usage: name === 'mute-alert' ? '--for DURATION' : '',
  summary,
  flags: name === 'mute-alert' ? ['for'] : [],
  check: name === 'mute-alert' ? needsFor : undefined,
  method: 'POST',
  path: (c) => `/alerts/${c.id}/${name.replace('-alert', '')}`,
  body: (c) => (name === 'mute-alert' ? { seconds: c.num('for') } : undefined),
  print: (a) => alertTable([AlertResponse.parse(a).alert]),
  output: AlertResponse,
});

function needsFor(c: Ctx): void {
  if (!c.has('for')) throw new UsageError(`${c.sub} needs --for DURATION (e.g. 30m)`);
}

export const ALERT_COMMAND: Command = {
  name: 'alert',
  summary: 'Alert rules and their alerts. ID|NAME: a rule by its id, or its name when no other rule has it.',
  flags: FLAGS,
  notes: 'DURATION: 90, 90s, 5m, 2h or 1d.',
  subs: [
    {
      name: 'list',
      summary: 'alert rules with their condition, channels and state',
      method: 'GET',
      path: () => '/alert-rules',
      print: (a) => ruleTable(AlertRuleList.parse(a).rules),
      output: AlertRuleList,
    },
    onRule({
      name: 'show',
      summary: 'one rule',
      method: 'GET',
      path: (c) => `/alert-rules/${c.id}`,
      print: rule,
      output: AlertRuleResponse,
    }),
    {
      name: 'create',
      aliases: ['add'],
      usage: '--name N --kind K [fields]',
      summary: 'add a rule',
      flags: [...FIELDS, 'json-body'],
      method: 'POST',
      path: () => '/alert-rules',
      body: async (c) => checked(CreateAlertRuleRequest, await bodyOf(c, [], () => createBody(c))),
      print: (a) => `created: ${rule(a)}`,
      output: AlertRuleResponse,
    },
    onRule({
      name: 'update',
      usage: '[fields]',
      summary: "change the given fields (condition flags are merged into the rule's condition)",
      flags: [...FIELDS, 'json-body'],
      method: 'PATCH',
      path: (c) => `/alert-rules/${c.id}`,
      body: async (c) => checked(UpdateAlertRuleRequest, await bodyOf(c, [], () => updateBody(c))),
      print: (a) => `updated: ${rule(a)}`,
      output: AlertRuleResponse,
    }),
    onRule({
      name: 'delete',
      aliases: ['remove'],
      summary: 'delete the rule and its alerts',
      method: 'DELETE',
      path: (c) => `/alert-rules/${c.id}`,
      print: (_a, c) => `deleted: ${c.args[0]}`,
      json: deleted,
      output: DELETED,
    }),
    onRule({
      name: 'mute',
      usage: '--for DURATION',
      summary: "send nothing for the rule's alerts for a while",
      flags: ['for'],
      check: needsFor,
      method: 'POST',
      path: (c) => `/alert-rules/${c.id}/mute`,
      body: (c) => ({ seconds: c.num('for') }),
      print: rule,
      output: AlertRuleResponse,
    }),
    onRule({
      name: 'unmute',
      summary: 'notify again',
      method: 'POST',
      path: (c) => `/alert-rules/${c.id}/unmute`,
      print: rule,
      output: AlertRuleResponse,
    }),
    {
      name: 'alerts',
      usage: '[--state pending|firing|resolved|active] [--rule ID|NAME] [--limit N]',
      summary: 'alerts, newest first (default 20)',
      flags: ['state', 'rule', 'limit'],
      method: 'GET',
      async path(c) {
        const q = new URLSearchParams({ limit: String(c.num('limit') ?? 20) });
        if (c.has('state')) q.set('state', c.str('state')!);
        if (c.has('rule')) q.set('rule', await resolveId(c.api, RULE, c.str('rule')!));
        return `/alerts?${q}`;
      },
      print: (a) => alertTable(AlertPage.parse(a).alerts),
      output: AlertPage,
    },
    onAlert('mute-alert', 'mute one alert'),
    onAlert('unmute-alert', 'unmute one alert'),
  ],
};
