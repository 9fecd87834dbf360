/**
 * The one place the core's errors become Scrapyd's texts (docs/scrapyd-api.md §1.4): the core raises catalogue
 * errors in its own words with the facts as details, and Scrapyd clients, which may show or match the text, see
 * exactly what Scrapyd would say. Anything else is unexpected and shown as `<name>: <message>`, as Scrapyd does.
 */
import { CatalogueError, type ErrorCode } from '@scrapyard/protocol';
import { FormError } from '../../scrapyd/form.js';

type Details = NonNullable<CatalogueError['details']>;
const text = (v: Details[string] | undefined) => String(v);

/** Scrapyd's text by catalogue code; BAD_REQUEST goes by its details' `rule`. */
const BY_CODE: Partial<Record<ErrorCode, (e: CatalogueError, d: Details) => string>> = {
  PROJECT_NOT_FOUND: (_e, d) => `project '${text(d.project)}' not found`,
  VERSION_NOT_FOUND: (_e, d) => `version '${text(d.version)}' not found`,
  SPIDER_NOT_FOUND: (_e, d) => `spider '${text(d.spider)}' not found`,
  NO_AGENT: (e) => `RunnerError: ${e.message}`,
  RUNNER_ERROR: (e, d) => `RunnerError: ${d.error === undefined ? e.message : text(d.error)}`,
};

/** Scrapyd's Python error for each BAD_REQUEST rule the core names. */
const BY_RULE: Record<string, (d: Details) => string> = {
  path_component: (d) => `DirectoryTraversalError: ${text(d.value)}`,
  reserved_argument: (d) => `TypeError: '${text(d.argument)}' is reserved by the daemon and can't be a spider argument`,
  signal: (d) => `ValueError: signal '${text(d.value)}' is not one of HUP, INT, KILL, STOP, TERM or a signal number`,
};

/** What Scrapyd would say for a catalogue error (its own message when Scrapyd has no text of its own for it). */
export function scrapydTextOf(e: CatalogueError): string {
  const d = e.details ?? {};
  const rule = e.code === 'BAD_REQUEST' && typeof d.rule === 'string' ? BY_RULE[d.rule] : undefined;
  if (rule) return rule(d);
  return BY_CODE[e.code]?.(e, d) ?? e.message;
}

/** Catalogue codes and rules with a Scrapyd text of their own (the adapter's table test walks them). */
export const MAPPED = { codes: Object.keys(BY_CODE) as ErrorCode[], rules: Object.keys(BY_RULE) };

/** An error raised on purpose (answered, not logged): every catalogue error, the form parser's included. */
export const isExpected = (err: unknown): err is CatalogueError => err instanceof CatalogueError;

/** The client-visible message for any failure (§1.4: `<ExceptionClassName>: <text>` for the unexpected). */
export function messageOf(err: unknown, debug: boolean): string {
  if (err instanceof FormError) return `FormError: ${err.message}`;
  if (isExpected(err)) return scrapydTextOf(err);
  const e = err instanceof Error ? err : new Error(String(err));
  return `${e.name}: ${e.message}${debug && e.stack ? `\n${e.stack}` : ''}`;
}
