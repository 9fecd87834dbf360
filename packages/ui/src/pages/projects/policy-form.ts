/**
 * A placement policy as form fields and back (pure). Every field is text; an empty one is null, "inherit". Lists
 * are comma-separated, and `-` is the empty list (no tags, retry on nothing, unique per spider alone), which is not
 * "inherit"; the start rate is `count/seconds`. What the master refuses (ranges, outcome names) it names
 * in its 400 answer, shown as is; here only the shape is read, so a typo is never silently dropped.
 */
import type { PlacementPolicy } from '@scrapyard/protocol';

export const POLICY_FIELDS = [
  { key: 'tags', label: 'Tags (comma-separated)', hint: 'nodes a job needs; - for none' },
  { key: 'maxRunning', label: 'Running cap', hint: 'jobs at once' },
  { key: 'retries', label: 'Retries', hint: 'attempts after the first' },
  { key: 'retryOn', label: 'Retry on', hint: 'failed, timed_out, stalled, lost; - for nothing' },
  { key: 'retryBackoffSeconds', label: 'First retry delay (s)', hint: '' },
  { key: 'retryBackoffMaxSeconds', label: 'Longest retry delay (s)', hint: '' },
  { key: 'maxRunSeconds', label: 'Run time limit (s)', hint: '' },
  { key: 'stallSeconds', label: 'Stall limit (s)', hint: 'no new stats for this long' },
  { key: 'killGraceSeconds', label: 'Kill grace (s)', hint: '' },
  { key: 'uniqueArgs', label: 'Unique key (arguments)', hint: 'one job at a time per these values; - per spider' },
  { key: 'startRate', label: 'Start rate (count/seconds)', hint: 'e.g. 10/60' },
] as const satisfies readonly { key: keyof PlacementPolicy; label: string; hint: string }[];

export type PolicyForm = Record<keyof PlacementPolicy, string>;

const LISTS = new Set<keyof PlacementPolicy>(['tags', 'retryOn', 'uniqueArgs']);
/** The empty list as text (an empty field is "inherit"). */
const EMPTY_LIST = '-';

export function policyToForm(p: PlacementPolicy): PolicyForm {
  const form = {} as PolicyForm;
  for (const { key } of POLICY_FIELDS) {
    const v = p[key];
    form[key] =
      v === null || v === undefined
        ? ''
        : Array.isArray(v)
          ? v.length === 0
            ? EMPTY_LIST
            : v.join(', ')
          : typeof v === 'object'
            ? `${v.count}/${v.periodSeconds}`
            : String(v);
  }
  return form;
}

export type Parsed =
  { ok: true; policy: PlacementPolicy } | { ok: false; errors: Partial<Record<keyof PlacementPolicy, string>> };

export function formToPolicy(form: PolicyForm): Parsed {
  const errors: Partial<Record<keyof PlacementPolicy, string>> = {};
  const out: Record<string, unknown> = {};
  for (const { key } of POLICY_FIELDS) {
    const text = (form[key] ?? '').trim();
    if (text === '') {
      out[key] = null;
    } else if (LISTS.has(key)) {
      out[key] =
        text === EMPTY_LIST
          ? []
          : text
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '');
    } else if (key === 'startRate') {
      const m = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
      if (m) out[key] = { count: Number(m[1]), periodSeconds: Number(m[2]) };
      else errors[key] = 'must be count/seconds, e.g. 10/60';
    } else if (/^\d+$/.test(text)) {
      out[key] = Number(text);
    } else {
      errors[key] = 'must be a whole number (empty: inherit)';
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, policy: out as PlacementPolicy };
}

/** The fields a policy sets, as `label: value` (for a read-only view); [] when it inherits everything. */
export function policySummary(p: PlacementPolicy): { label: string; value: string }[] {
  const form = policyToForm(p);
  return POLICY_FIELDS.filter(({ key }) => form[key] !== '').map(({ key, label }) => ({ label, value: form[key] }));
}
