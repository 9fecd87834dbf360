/**
 * The schedule form's state (strings, as the inputs hold them) to and from the REST bodies (pure). Problems the
 * form can see itself are named per field; everything else is the master's to refuse, and shown as it says.
 */
import type {
  CreateScheduleRequest,
  JobPolicyOverride,
  MisfirePolicy,
  OverlapPolicy,
  PlacementPolicy,
  Schedule,
} from '@scrapyard/protocol';
import { formToPolicy, POLICY_FIELDS, policySummary, policyToForm, type PolicyForm } from '../projects/policy-form.js';

/** The run limits of the jobs a schedule starts (its `policy`): the fields of a policy a job itself may carry. */
export const JOB_POLICY_FIELDS = POLICY_FIELDS.filter(
  (f): f is (typeof POLICY_FIELDS)[number] & { key: keyof JobPolicyOverride } => f.key in emptyJobPolicy(),
);
export type JobPolicyForm = Record<keyof JobPolicyOverride, string>;
// Every key: a field the protocol adds to a job's policy fails the type check here until the form has it.
function emptyJobPolicy(): JobPolicyForm {
  return {
    retries: '',
    retryOn: '',
    retryBackoffSeconds: '',
    retryBackoffMaxSeconds: '',
    maxRunSeconds: '',
    stallSeconds: '',
    killGraceSeconds: '',
    uniqueArgs: '',
  };
}

/** Every field of a schedule, its jobs' run limits among them (empty: the spider's and project's policy). */
export interface ScheduleForm extends JobPolicyForm {
  name: string;
  project: string;
  spider: string;
  timing: 'cron' | 'interval';
  cron: string;
  intervalSeconds: string;
  timezone: string;
  version: string;
  /** One `key=value` a line. */
  args: string;
  settings: string;
  /** Comma or space separated; empty: the spider's or project's policy. */
  tags: string;
  priority: string;
  jitterSeconds: string;
  /** ISO 8601 with an offset, or empty. */
  startAt: string;
  endAt: string;
  enabled: boolean;
  overlap: OverlapPolicy;
  misfire: MisfirePolicy;
  misfireGraceSeconds: string;
  backfillWindowSeconds: string;
  backfillMax: string;
}

export type FormErrors = Partial<Record<keyof ScheduleForm, string>>;
export type FormResult = { ok: true; body: CreateScheduleRequest } | { ok: false; errors: FormErrors };

export function emptyForm(timezone: string): ScheduleForm {
  return {
    name: '',
    project: '',
    spider: '',
    timing: 'cron',
    cron: '',
    intervalSeconds: '',
    timezone,
    version: '',
    args: '',
    settings: '',
    tags: '',
    priority: '0',
    jitterSeconds: '0',
    startAt: '',
    endAt: '',
    enabled: true,
    overlap: 'forbid',
    misfire: 'run_once',
    misfireGraceSeconds: '60',
    backfillWindowSeconds: '3600',
    backfillMax: '10',
    ...emptyJobPolicy(),
  };
}

const pairs = (r: Record<string, string>) =>
  Object.entries(r)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export function formFromSchedule(s: Schedule): ScheduleForm {
  return {
    name: s.name ?? '',
    project: s.project,
    spider: s.spider,
    timing: s.cron === null ? 'interval' : 'cron',
    cron: s.cron ?? '',
    intervalSeconds: s.intervalSeconds === null ? '' : String(s.intervalSeconds),
    timezone: s.timezone,
    version: s.version ?? '',
    args: pairs(s.args),
    settings: pairs(s.settings),
    tags: (s.tags ?? []).join(', '),
    priority: String(s.priority),
    jitterSeconds: String(s.jitterSeconds),
    startAt: iso(s.startAt),
    endAt: iso(s.endAt),
    enabled: s.enabled,
    overlap: s.overlap,
    misfire: s.misfire,
    misfireGraceSeconds: String(s.misfireGraceSeconds),
    backfillWindowSeconds: String(s.backfillWindowSeconds),
    backfillMax: String(s.backfillMax),
    ...jobPolicyToForm(s.policy),
  };
}

function jobPolicyToForm(p: JobPolicyOverride | null): JobPolicyForm {
  const all = policyToForm({ ...p } as PlacementPolicy);
  const form = emptyJobPolicy();
  for (const key of Object.keys(form) as (keyof JobPolicyForm)[]) form[key] = all[key];
  return form;
}

/** A schedule's job policy in words: `Retries: 2; Run time limit (s): 600`. */
export function jobPolicyText(p: JobPolicyOverride | null): string {
  const set = policySummary({ ...p } as PlacementPolicy);
  return set.length === 0 ? "its spider's and project's" : set.map((f) => `${f.label}: ${f.value}`).join('; ');
}

/** The job policy the form sets (null: none, every field inherits), or the problem of each field it can read. */
function jobPolicyFromForm(f: ScheduleForm, errors: FormErrors): JobPolicyOverride | null {
  const all = Object.fromEntries(POLICY_FIELDS.map(({ key }) => [key, ''])) as PolicyForm;
  for (const key of Object.keys(emptyJobPolicy()) as (keyof JobPolicyForm)[]) all[key] = f[key];
  const parsed = formToPolicy(all);
  if (!parsed.ok) {
    Object.assign(errors, parsed.errors);
    return null;
  }
  const set = Object.entries(parsed.policy).filter(([, v]) => v !== null);
  return set.length === 0 ? null : (Object.fromEntries(set) as JobPolicyOverride);
}

/** `key=value` lines; a line without `=` is an error naming it. */
export function parsePairs(text: string): { ok: true; value: Record<string, string> } | { ok: false; error: string } {
  const value: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { ok: false, error: `line ${i + 1}: write key=value` };
    value[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { ok: true, value };
}

/** The body of POST /schedules (a PATCH sends the same fields: every one of them is settable). */
export function requestFromForm(f: ScheduleForm): FormResult {
  const errors: FormErrors = {};
  const int = (key: keyof ScheduleForm, min: number): number => {
    const text = String(f[key]).trim();
    const n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < min) errors[key] = `a whole number of at least ${min}`;
    return n;
  };
  const instant = (key: 'startAt' | 'endAt'): string | null => {
    const text = f[key].trim();
    if (text === '') return null;
    if (!/(Z|[+-]\d{2}:?\d{2})$/.test(text) || Number.isNaN(Date.parse(text))) {
      errors[key] = 'an ISO 8601 time with Z or an offset, e.g. 2026-03-29T01:30:00Z';
    }
    return text;
  };
  const text = (key: keyof ScheduleForm) => {
    const pairs = parsePairs(String(f[key]));
    if (pairs.ok) return pairs.value;
    errors[key] = pairs.error;
    return {};
  };
  if (f.project.trim() === '') errors.project = 'choose a project';
  if (f.spider.trim() === '') errors.spider = 'choose a spider';
  if (f.timing === 'cron' && f.cron.trim() === '') errors.cron = 'write a cron expression, e.g. 0 3 * * *';
  const interval = f.timing === 'interval' ? int('intervalSeconds', 1) : null;
  const priority = Number(f.priority.trim() === '' ? '0' : f.priority);
  if (!Number.isFinite(priority)) errors.priority = 'a number';
  const tags = f.tags.split(/[\s,]+/).filter((t) => t !== '');
  const body: CreateScheduleRequest = {
    name: f.name.trim() === '' ? null : f.name.trim(),
    project: f.project.trim(),
    spider: f.spider.trim(),
    cron: f.timing === 'cron' ? f.cron.trim() : null,
    intervalSeconds: interval,
    timezone: f.timezone,
    version: f.version.trim() === '' ? null : f.version.trim(),
    args: text('args'),
    settings: text('settings'),
    tags: tags.length === 0 ? null : tags,
    priority,
    jitterSeconds: int('jitterSeconds', 0),
    startAt: instant('startAt'),
    endAt: instant('endAt'),
    enabled: f.enabled,
    overlap: f.overlap,
    misfire: f.misfire,
    misfireGraceSeconds: int('misfireGraceSeconds', 1),
    backfillWindowSeconds: int('backfillWindowSeconds', 1),
    backfillMax: int('backfillMax', 1),
    policy: jobPolicyFromForm(f, errors),
  };
  return Object.keys(errors).length === 0 ? { ok: true, body } : { ok: false, errors };
}
