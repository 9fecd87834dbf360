/** zod at the edge of the REST API: a parse failure becomes a 400 with every problem named. */
import type { z } from 'zod';
import { ApiError } from './api-error.js';

export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${[what, ...i.path].join('.')}: ${i.message}`);
  throw new ApiError('BAD_REQUEST', problems.join('; '));
}
