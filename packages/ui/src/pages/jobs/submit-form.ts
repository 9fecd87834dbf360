/**
 * The "schedule a job" form's text fields turned into POST /api/v1/jobs's body (pure): arguments and settings
 * one `name=value` a line, tags comma-separated, numbers checked, so a typo is pointed at before anything is sent.
 * The API checks everything again.
 */
import type { SubmitJobRequest } from '@scrapyard/protocol';

export interface SubmitForm {
  project: string;
  spider: string;
  /** '' for the latest at launch. */
  version: string;
  args: string;
  settings: string;
  tags: string;
  priority: string;
  retries: string;
  maxRunSeconds: string;
  stallSeconds: string;
}

export const EMPTY_FORM: SubmitForm = {
  project: '',
  spider: '',
  version: '',
  args: '',
  settings: '',
  tags: '',
  priority: '0',
  retries: '',
  maxRunSeconds: '',
  stallSeconds: '',
};

export type Built = { ok: true; body: SubmitJobRequest } | { ok: false; error: string };

/** `a=1\nb = two` → `{ a: '1', b: 'two' }`; blank lines skipped; a line without `=` is an error. */
export function parsePairs(text: string, what: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return `${what}, line ${i + 1}: write name=value`;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function wholeNumber(text: string, what: string, min: number): number | undefined | string {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t) || Number(t) < min) return `${what} must be a whole number of at least ${min}`;
  return Number(t);
}

export function buildSubmit(f: SubmitForm): Built {
  if (f.project === '') return { ok: false, error: 'Pick a project' };
  if (f.spider === '') return { ok: false, error: 'Pick a spider' };
  const args = parsePairs(f.args, 'Arguments');
  if (typeof args === 'string') return { ok: false, error: args };
  const settings = parsePairs(f.settings, 'Settings');
  if (typeof settings === 'string') return { ok: false, error: settings };
  const priority = Number(f.priority.trim() === '' ? '0' : f.priority);
  if (!Number.isFinite(priority)) return { ok: false, error: 'Priority must be a number' };
  const policy: NonNullable<SubmitJobRequest['policy']> = {};
  for (const [key, label, min] of [
    ['retries', 'Retries', 0],
    ['maxRunSeconds', 'Max run time', 1],
    ['stallSeconds', 'Stall time', 1],
  ] as const) {
    const n = wholeNumber(f[key], label, min);
    if (typeof n === 'string') return { ok: false, error: n };
    if (n !== undefined) policy[key] = n;
  }
  const tags = f.tags
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  return {
    ok: true,
    body: {
      project: f.project,
      spider: f.spider,
      ...(f.version !== '' && { version: f.version }),
      priority,
      args,
      settings,
      ...(tags.length > 0 && { tags }),
      ...(Object.keys(policy).length > 0 && { policy }),
    },
  };
}
