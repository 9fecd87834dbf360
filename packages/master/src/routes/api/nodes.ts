/** /api/v1/nodes: list, enroll, revoke, rotate, cordon, and host metrics. (Writes need admin: see plugin.ts.) */
import { z } from 'zod';
import {
  CreateEnrollmentRequest,
  EnrollmentResponse,
  NodeId,
  NodeInfo,
  NodeList,
  NodeMetrics,
} from '@scrapyard/protocol';
import type { MetricsRepo } from '../../db/repos/metrics.js';
import { needs } from '../../auth/access-rules.js';
import type { NodeAdmin } from '../../auth/node-admin.js';
import { parseOr400 } from '@scrapyard/protocol';
import type { CheckedApp } from './checked-answers.js';

const NodeParams = z.object({ id: NodeId });
const MetricsQuery = z.object({
  since: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(720),
});
// Reading nodes names no project: any reader. Administering them: admins only.
const info = { schema: { response: { 200: NodeInfo } }, config: needs('read') };
const change = { schema: { response: { 200: NodeInfo } }, config: needs('admin') };

export function nodeRoutes(app: CheckedApp, o: { admin: NodeAdmin; metrics: MetricsRepo }): void {
  const id = (params: unknown) => parseOr400(NodeParams, params, 'path').id;

  const list = { schema: { response: { 200: NodeList } }, config: needs('read') };
  app.get('/nodes', list, async () => ({ nodes: await o.admin.list() }));
  app.get('/nodes/:id', info, async (req) => o.admin.info(id(req.params)));
  const enroll = { schema: { response: { 201: EnrollmentResponse } }, config: needs('admin') };
  app.post('/nodes/enrollments', enroll, async (req, reply) => {
    const body = parseOr400(CreateEnrollmentRequest, req.body ?? {}, 'body');
    return reply.code(201).send(await o.admin.createEnrollment(body));
  });
  app.post('/nodes/:id/revoke', change, async (req) => o.admin.revoke(id(req.params)));
  app.post('/nodes/:id/rotate', change, async (req) => o.admin.rotate(id(req.params)));
  app.post('/nodes/:id/cordon', change, async (req) => o.admin.setCordoned(id(req.params), true));
  app.post('/nodes/:id/uncordon', change, async (req) => o.admin.setCordoned(id(req.params), false));
  app.get('/nodes/:id/metrics', { schema: { response: { 200: NodeMetrics } }, config: needs('read') }, async (req) => {
    const nodeId = id(req.params);
    await o.admin.info(nodeId);
    const q = parseOr400(MetricsQuery, req.query, 'query');
    return { nodeId, samples: await o.metrics.hostSamples(nodeId, q.since, q.limit) };
  });
}
