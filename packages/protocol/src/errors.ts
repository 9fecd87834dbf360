import { z } from 'zod';

/** Stable error codes of our own API and of agent replies. Never reuse a retired code. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'PROJECT_NOT_FOUND',
  'VERSION_NOT_FOUND',
  'SPIDER_NOT_FOUND',
  'BAD_EGG',
  'RUNNER_ERROR',
  'NO_AGENT',
  'AGENT_TIMEOUT',
  'INTERNAL',
  'FORBIDDEN',
  'ENROLLMENT_INVALID',
  'ENROLLMENT_EXPIRED',
  'ENROLLMENT_USED',
  'NODE_EXISTS',
  'NODE_REVOKED',
  'NODE_OFFLINE',
  // A configured bound on stored objects (e.g. max_schedules) is reached: delete some or raise the bound.
  'LIMIT_REACHED',
  // A job with the same unique key (policy uniqueArgs) is already pending or running.
  'DUPLICATE_JOB',
  // Busy: a bounded resource (pending agent handshakes) is full; try again shortly.
  'OVERLOADED',
  // Agent handshake (`rejected` frames, and what an agent logs about a master).
  'PROTOCOL_ERROR',
  'PROTOCOL_VERSION',
  'CLOCK_SKEW',
  'BAD_CREDENTIALS',
  'TEMPORARY_NODES_OFF',
  'MASTER_AUTH_FAILED',
  // Agent-side failures, in its logs and in a job's reason: what to fix on the node.
  'PYTHON_NOT_FOUND',
  'VENV_FAILED',
  'EGG_FETCH_FAILED',
  'CRAWL_USER_INVALID',
  'REMOVE_FAILED',
  // The master's store (start-up and `scrapyard-master migrate`): what to fix in database_url or the schema.
  'DATABASE_UNAVAILABLE',
  'DATABASE_MIGRATION_FAILED',
  'DATABASE_SCHEMA_OUTDATED',
  // A rule names a notification channel that does not exist: create it first or fix the id.
  'UNKNOWN_CHANNEL',
  // A schedule would fire more often than min_schedule_interval_seconds allows.
  'SCHEDULE_TOO_FREQUENT',
  // A webhook or channel names a destination outbound_allowed_hosts refuses (a private or metadata address).
  'OUTBOUND_REFUSED',
  // An update changes where a webhook or channel sends without giving its secret again in the same request.
  'SECRET_REQUIRED',
  // Start-up: the data dir (or a file in it) is readable by other users and owned by another user than the master's.
  'DATA_DIR_UNSAFE',
  // A state-changing request sent by a browser from another site (Origin / Sec-Fetch-Site): refused.
  'CROSS_SITE_REQUEST',
  // Command lines (what `scrapyard-agent: CODE: message` names): a flag or argument the command does not take.
  'USAGE',
  // A command's configuration (file, SCRAPYARD_* variables, flags) is invalid or names a path it cannot use.
  'CONFIG_INVALID',
  // A command could not reach the master at the address it was given (connection refused, DNS, TLS).
  'MASTER_UNREACHABLE',
  // A webhook or notification could not be delivered (no answer, a refused connection, an error status).
  'DELIVERY_FAILED',
  // A stored secret can't be opened (the secrets key changed, or the sealed text is damaged).
  'SECRET_UNREADABLE',
  // Start-up or `migrate`: the database holds migrations this release does not know (written by a newer one).
  'DATABASE_FROM_NEWER_RELEASE',
  // A password the rule refuses (too short, the user's name, one repeated character); the message says the rule.
  'WEAK_PASSWORD',
  // A user of that name exists already.
  'USER_EXISTS',
  // The change would leave no enabled user with the admin role on every project (disable, demote, delete).
  'LAST_ADMIN',
  // Too many failed logins for that user name or from that address: retry after the time the answer gives.
  'TOO_MANY_LOGINS',
  // A state-changing request carried by a browser session's cookie failed the CSRF check (Fetch Metadata, Origin, token).
  'CSRF_FAILED',
  // An API token asked for more than its creator holds (a role or a project beyond their own grants).
  'TOKEN_TOO_WIDE',
  // /ui/ was asked for but the web UI was never built (`pnpm build` builds packages/ui into its dist/).
  'UI_NOT_BUILT',
  // Every live event stream the master allows (max_event_streams) is open: retry later.
  'TOO_MANY_STREAMS',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  PROJECT_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  SPIDER_NOT_FOUND: 404,
  BAD_EGG: 400,
  RUNNER_ERROR: 422,
  NO_AGENT: 503,
  AGENT_TIMEOUT: 504,
  INTERNAL: 500,
  FORBIDDEN: 403,
  ENROLLMENT_INVALID: 401,
  ENROLLMENT_EXPIRED: 410,
  ENROLLMENT_USED: 409,
  NODE_EXISTS: 409,
  NODE_REVOKED: 409,
  NODE_OFFLINE: 409,
  LIMIT_REACHED: 409,
  DUPLICATE_JOB: 409,
  OVERLOADED: 503,
  PROTOCOL_ERROR: 400,
  PROTOCOL_VERSION: 400,
  CLOCK_SKEW: 401,
  BAD_CREDENTIALS: 401,
  TEMPORARY_NODES_OFF: 403,
  MASTER_AUTH_FAILED: 401,
  PYTHON_NOT_FOUND: 500,
  VENV_FAILED: 500,
  EGG_FETCH_FAILED: 502,
  CRAWL_USER_INVALID: 500,
  REMOVE_FAILED: 500,
  DATABASE_UNAVAILABLE: 503,
  DATABASE_MIGRATION_FAILED: 500,
  DATABASE_SCHEMA_OUTDATED: 500,
  UNKNOWN_CHANNEL: 400,
  SCHEDULE_TOO_FREQUENT: 400,
  OUTBOUND_REFUSED: 400,
  SECRET_REQUIRED: 400,
  DATA_DIR_UNSAFE: 500,
  CROSS_SITE_REQUEST: 403,
  USAGE: 400,
  CONFIG_INVALID: 400,
  MASTER_UNREACHABLE: 502,
  DELIVERY_FAILED: 502,
  SECRET_UNREADABLE: 500,
  DATABASE_FROM_NEWER_RELEASE: 500,
  WEAK_PASSWORD: 400,
  USER_EXISTS: 409,
  LAST_ADMIN: 409,
  TOO_MANY_LOGINS: 429,
  CSRF_FAILED: 403,
  TOKEN_TOO_WIDE: 403,
  UI_NOT_BUILT: 503,
  TOO_MANY_STREAMS: 429,
};

/** HTTP status our own API answers with for an error code. (The Scrapyd API always answers 200.) */
export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** The facts an error is about (`{ project, spider }`): what a client or an adapter acts on without parsing text. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | string[]>>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]))
      .optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * An error we raise on purpose: a catalogue code, a message in our own words, and the facts it is about. Each
 * surface says it in its own dialect: the REST API as `{ error: { code, message, details } }`, the Scrapyd adapter
 * as Scrapyd's text, the daemons' logs and CLIs with the code in front. (`name` stays the subclass's own choice:
 * the Scrapyd API shows `<name>: <message>` for errors it did not expect.)
 */
// eslint-disable-next-line no-restricted-syntax -- the one base every other error class extends
export class CatalogueError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A CatalogueError class whose code is always `code`: `class VenvError extends errorWithCode('VENV_FAILED') {}`. */
export function errorWithCode(code: ErrorCode) {
  return class extends CatalogueError {
    constructor(message: string, details?: ErrorDetails, options?: ErrorOptions) {
      super(code, message, details, options);
    }
  };
}

/**
 * zod at the edge (routes parse what they are given) and for whole-object checks in the core (a patch merged into
 * what is stored): a parse failure becomes BAD_REQUEST with every problem named (`body.cron: …; body.name: …`).
 */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${[what, ...i.path].join('.')}: ${i.message}`);
  throw new CatalogueError('BAD_REQUEST', problems.join('; '));
}
