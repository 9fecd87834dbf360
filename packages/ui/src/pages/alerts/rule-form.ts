/**
 * The alert-rule form (strings, as the inputs hold them) to and from the REST bodies (pure), and a rule's
 * condition in words. The master checks the rest and its refusal is shown as it says.
 */
import type { AlertCondition, AlertRule, AlertRuleKind, CreateAlertRuleRequest } from '@scrapyard/protocol';

export const OUTCOMES = ['failed', 'timed_out', 'stalled', 'lost', 'start_failed', 'cancelled'] as const;
export const FIRE_PROBLEMS = ['missed', 'skipped', 'failed'] as const;
type Outcome = (typeof OUTCOMES)[number];
type FireProblem = (typeof FIRE_PROBLEMS)[number];
export const KIND_LABELS: Record<AlertRuleKind, string> = {
  job_outcome: 'a crawl ends badly',
  job_items: 'a crawl scrapes too few items',
  job_errors: 'a crawl logs too many errors',
  schedule_fire: 'a schedule fire is missed, skipped or fails',
  node_offline: 'a node goes offline',
  node_resource: "a node's CPU, memory or disk is high",
};

export interface RuleForm {
  name: string;
  kind: AlertRuleKind;
  /** Empty: every project (needs a `*` grant). */
  project: string;
  spider: string;
  outcomes: string[];
  minItems: string;
  minPercentOfMedian: string;
  baselineRuns: string;
  maxErrors: string;
  httpStatus: string;
  maxStatusPercent: string;
  node: string;
  resource: 'cpu' | 'memory' | 'disk';
  abovePercent: string;
  schedule: string;
  on: string[];
  channels: string[];
  forSeconds: string;
  /** Empty: never repeat. */
  repeatSeconds: string;
  sendResolved: boolean;
  enabled: boolean;
}

export type RuleFormErrors = Partial<Record<keyof RuleForm, string>>;
export type RuleFormResult = { ok: true; body: CreateAlertRuleRequest } | { ok: false; errors: RuleFormErrors };

export function emptyRuleForm(project = ''): RuleForm {
  return {
    name: '',
    kind: 'job_outcome',
    project,
    spider: '',
    outcomes: ['failed', 'timed_out', 'lost', 'start_failed'],
    minItems: '',
    minPercentOfMedian: '',
    baselineRuns: '5',
    maxErrors: '',
    httpStatus: '',
    maxStatusPercent: '',
    node: '',
    resource: 'cpu',
    abovePercent: '90',
    schedule: '',
    on: [...FIRE_PROBLEMS],
    channels: [],
    forSeconds: '0',
    repeatSeconds: '14400',
    sendResolved: true,
    enabled: true,
  };
}

const str = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

export function formFromRule(r: AlertRule): RuleForm {
  const c = r.condition;
  const f: RuleForm = {
    ...emptyRuleForm(),
    name: r.name,
    kind: c.kind,
    channels: [...r.channels],
    forSeconds: String(r.forSeconds),
    repeatSeconds: str(r.repeatSeconds),
    sendResolved: r.sendResolved,
    enabled: r.enabled,
  };
  if ('project' in c) Object.assign(f, { project: c.project ?? '', spider: c.spider ?? '' });
  if (c.kind === 'job_outcome') f.outcomes = [...c.outcomes];
  if (c.kind === 'job_items') {
    Object.assign(f, {
      minItems: str(c.minItems),
      minPercentOfMedian: str(c.minPercentOfMedian),
      baselineRuns: str(c.baselineRuns),
    });
  }
  if (c.kind === 'job_errors') {
    Object.assign(f, {
      maxErrors: str(c.maxErrors),
      httpStatus: c.httpStatus ?? '',
      maxStatusPercent: str(c.maxStatusPercent),
    });
  }
  if (c.kind === 'node_offline' || c.kind === 'node_resource') f.node = c.node ?? '';
  if (c.kind === 'node_resource') Object.assign(f, { resource: c.resource, abovePercent: String(c.abovePercent) });
  if (c.kind === 'schedule_fire') Object.assign(f, { schedule: c.schedule ?? '', on: [...c.on] });
  return f;
}

/** The body of POST /alert-rules (a PATCH sends the same fields). */
export function ruleRequestFromForm(f: RuleForm): RuleFormResult {
  const errors: RuleFormErrors = {};
  const num = (key: keyof RuleForm, opts: { optional?: boolean; int?: boolean } = {}): number | undefined => {
    const text = String(f[key]).trim();
    if (text === '' && opts.optional) return undefined;
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n < 0 || (opts.int && !Number.isInteger(n))) {
      errors[key] = opts.int ? 'a whole number' : 'a number';
    }
    return n;
  };
  const scope = { project: f.project.trim() || null, spider: f.spider.trim() || null };
  if (scope.spider !== null && scope.project === null) errors.spider = 'a spider needs its project';
  let condition: AlertCondition;
  switch (f.kind) {
    case 'job_outcome':
      if (f.outcomes.length === 0) errors.outcomes = 'choose at least one outcome';
      condition = { kind: f.kind, ...scope, outcomes: f.outcomes as Outcome[] };
      break;
    case 'job_items': {
      const minItems = num('minItems', { optional: true, int: true });
      const minPercentOfMedian = num('minPercentOfMedian', { optional: true });
      if (minItems === undefined && minPercentOfMedian === undefined) {
        errors.minItems = 'set a minimum, a percent or both';
      }
      condition = {
        kind: f.kind,
        ...scope,
        ...(minItems !== undefined && { minItems }),
        ...(minPercentOfMedian !== undefined && { minPercentOfMedian }),
        baselineRuns: num('baselineRuns', { int: true }) ?? 5,
      };
      break;
    }
    case 'job_errors': {
      const maxErrors = num('maxErrors', { optional: true, int: true });
      const httpStatus = f.httpStatus.trim() || undefined;
      const maxStatusPercent = num('maxStatusPercent', { optional: true });
      if ((httpStatus === undefined) !== (maxStatusPercent === undefined)) {
        errors.httpStatus = 'a status and its percent go together';
      }
      if (maxErrors === undefined && httpStatus === undefined) errors.maxErrors = 'set a count, a status or both';
      condition = {
        kind: f.kind,
        ...scope,
        ...(maxErrors !== undefined && { maxErrors }),
        ...(httpStatus !== undefined && { httpStatus }),
        ...(maxStatusPercent !== undefined && { maxStatusPercent }),
      };
      break;
    }
    case 'schedule_fire':
      if (f.on.length === 0) errors.on = 'choose at least one';
      condition = { kind: f.kind, schedule: f.schedule.trim() || null, on: f.on as FireProblem[] };
      break;
    case 'node_offline':
      condition = { kind: f.kind, node: f.node.trim() || null };
      break;
    case 'node_resource':
      condition = {
        kind: f.kind,
        node: f.node.trim() || null,
        resource: f.resource,
        abovePercent: num('abovePercent') ?? 0,
      };
      break;
  }
  if (f.name.trim() === '') errors.name = 'name the rule';
  const repeat = num('repeatSeconds', { optional: true, int: true });
  const body: CreateAlertRuleRequest = {
    name: f.name.trim(),
    condition,
    channels: [...f.channels],
    forSeconds: num('forSeconds', { int: true }) ?? 0,
    repeatSeconds: repeat === undefined ? null : repeat,
    sendResolved: f.sendResolved,
    enabled: f.enabled,
  };
  return Object.keys(errors).length === 0 ? { ok: true, body } : { ok: false, errors };
}

/** The project a rule is about (null: every project, or nodes). */
export function ruleProject(c: AlertCondition): string | null {
  return 'project' in c ? (c.project ?? null) : null;
}

/** One line: what the rule watches. */
export function describeCondition(c: AlertCondition): string {
  const where =
    'project' in c ? (c.project ? (c.spider ? `${c.project}/${c.spider}` : c.project) : 'every project') : '';
  switch (c.kind) {
    case 'job_outcome':
      return `${where}: a crawl ends ${c.outcomes.join(', ')}`;
    case 'job_items': {
      const parts = [
        c.minItems !== undefined && `fewer than ${c.minItems} items`,
        c.minPercentOfMedian !== undefined &&
          `under ${c.minPercentOfMedian}% of the median of its last ${c.baselineRuns} runs`,
      ].filter(Boolean);
      return `${where}: a crawl scrapes ${parts.join(' or ')}`;
    }
    case 'job_errors': {
      const parts = [
        c.maxErrors !== undefined && `more than ${c.maxErrors} errors`,
        c.httpStatus !== undefined && `more than ${c.maxStatusPercent}% of responses ${c.httpStatus}`,
      ].filter(Boolean);
      return `${where}: a crawl has ${parts.join(' or ')}`;
    }
    case 'schedule_fire':
      return `${c.schedule ? `schedule ${c.schedule}` : 'any schedule'}: a fire ${c.on.join(', ')}`;
    case 'node_offline':
      return `${c.node ? `node ${c.node}` : 'any node'} goes offline`;
    case 'node_resource':
      return `${c.node ? `node ${c.node}` : 'any node'}: ${c.resource} above ${c.abovePercent}%`;
  }
}
