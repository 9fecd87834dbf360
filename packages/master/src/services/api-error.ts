/** An error of our own REST API: a stable code the client can act on, and the matching HTTP status. */
import type { z } from 'zod';
import { httpStatusOf, type ErrorCode } from '@scrapyard/protocol';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  toBody() {
    return { error: { code: this.code, message: this.message } };
  }
}

/**
 * zod at the edge (routes parse what they are given) and for whole-object checks in the core (a patch merged into
 * what is stored): a parse failure becomes a 400 with every problem named (`body.cron: …; body.name: …`).
 */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${[what, ...i.path].join('.')}: ${i.message}`);
  throw new ApiError('BAD_REQUEST', problems.join('; '));
}
