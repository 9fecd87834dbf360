/**
 * The fields a refusal of the master names (pure). A body the master refuses comes back as BAD_REQUEST (or
 * SECRET_REQUIRED) with each problem as `body.<path>: <message>`, joined by `; ` (protocol `parseOr400`, and the
 * services' own checks in the same words): a form shows each beside its field, the whole message in its banner.
 */
import { ApiError } from './errors.js';

export interface FieldProblem {
  /** The body path without `body.`: `cron`, `policy.maxRunSeconds`, `events.0`. */
  path: string;
  message: string;
}

const PROBLEM = /^body\.([A-Za-z0-9_.]+): ([\s\S]+)$/;

export function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  const out: FieldProblem[] = [];
  // A message may hold `; ` itself: only a `; ` followed by the next `body.` starts another problem.
  for (const part of error.message.split(/; (?=body\.)/)) {
    const m = PROBLEM.exec(part.trim());
    if (m) out.push({ path: m[1]!, message: m[2]! });
  }
  return out;
}

/** The problems by the form field each names (`fieldOf` of its path; undefined: none of the form's, left out). */
export function fieldErrorsFrom<K extends string>(
  error: unknown,
  fieldOf: (path: string) => K | undefined,
): Partial<Record<K, string>> {
  const errors: Partial<Record<K, string>> = {};
  for (const p of fieldProblems(error)) {
    const key = fieldOf(p.path);
    if (key !== undefined && errors[key] === undefined) errors[key] = p.message;
  }
  return errors;
}
