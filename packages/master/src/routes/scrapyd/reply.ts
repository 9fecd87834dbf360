/** Scrapyd's response conventions: Python-style JSON + newline, CORS headers, HTTP 200 for application errors. */
import type { FastifyReply } from 'fastify';
import { pyJson } from '../../scrapyd/py-json.js';

export type Method = 'GET' | 'POST';

export function corsHeaders(method: Method): Record<string, string> {
  const allowed = method === 'GET' ? 'OPTIONS, HEAD, GET' : 'OPTIONS, HEAD, POST';
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': allowed,
    'access-control-allow-headers': 'X-Requested-With',
  };
}

export function sendJson(reply: FastifyReply, method: Method, body: Record<string, unknown>): FastifyReply {
  const text = Buffer.from(pyJson(body), 'utf8');
  return reply
    .code(200)
    .headers({ ...corsHeaders(method), 'content-type': 'application/json', 'content-length': String(text.length) })
    .send(text);
}

export function sendError(reply: FastifyReply, method: Method, message: string, nodeName: string): FastifyReply {
  return sendJson(reply, method, { status: 'error', message, node_name: nodeName });
}
