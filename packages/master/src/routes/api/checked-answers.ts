/**
 * Answers checked against their protocol schema, with fastify's zod type provider: a route declares
 * `schema: { response: { 200: JobPage } }`, the compiler checks what its handler returns, and every answer is
 * parsed before it is sent. One that doesn't match is a bug of ours: errors.ts answers it 500 and logs the route.
 */
import type { FastifyInstance } from 'fastify';
import { ResponseSerializationError, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';

/**
 * Parsed, not zod-encoded as the library's own serializer does (encoding refuses the protocol's one-way transforms,
 * and would drop or fill fields): the answer sent is the handler's object, byte for byte what it was unchecked.
 */
function checkedJson({ schema, method, url }: { schema: z.ZodType; method: string; url: string }) {
  return (data: unknown): string => {
    const r = schema.safeParse(data);
    if (!r.success) throw new ResponseSerializationError(method, url, { cause: r.error });
    return JSON.stringify(data);
  };
}

/** The scope's routes with checked answers; requests are still parsed in the handlers (parseOr400). */
export function withCheckedAnswers(app: FastifyInstance) {
  app.setSerializerCompiler(checkedJson);
  return app.withTypeProvider<ZodTypeProvider>();
}

export type CheckedApp = ReturnType<typeof withCheckedAnswers>;
