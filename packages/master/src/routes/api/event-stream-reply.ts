/** The start of a server-sent-events answer, shared by the live event stream and the live log tail. */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes the answer from fastify and sends the headers of an event stream now (the first event may be long in
 * coming): what is written next goes to the client as it is written.
 */
export function startEventStream(reply: FastifyReply): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  // Keep headers that hooks set on the reply (hijacking skips fastify's own sending).
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  return res;
}
