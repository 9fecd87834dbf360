/**
 * /api/v1/alert-rules (create, list, show, update, delete, mute, unmute) and /api/v1/alerts (list, show, mute,
 * unmute). (Writes need admin: see plugin.ts.)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AlertRuleService } from '../../alerts/rule-service.js';
import { parseOr400 } from './validate.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });

export function alertRoutes(app: FastifyInstance, o: { alerts: AlertRuleService }): void {
  const s = o.alerts;
  const id = (req: { params: unknown }) => parseOr400(IdParams, req.params, 'path').id;
  app.get('/alert-rules', async () => s.list());
  app.post('/alert-rules', async (req, reply) => reply.code(201).send(await s.create(req.body)));
  app.get('/alert-rules/:id', async (req) => ({ rule: await s.get(id(req)) }));
  app.patch('/alert-rules/:id', async (req) => s.update(id(req), req.body));
  app.delete('/alert-rules/:id', async (req, reply) => {
    await s.delete(id(req));
    return reply.code(204).send();
  });
  app.post('/alert-rules/:id/mute', async (req) => s.muteRule(id(req), req.body));
  app.post('/alert-rules/:id/unmute', async (req) => s.unmuteRule(id(req)));
  app.get('/alerts', async (req) => s.alerts(req.query));
  app.get('/alerts/:id', async (req) => s.alert(id(req)));
  app.post('/alerts/:id/mute', async (req) => s.muteAlert(id(req), req.body));
  app.post('/alerts/:id/unmute', async (req) => s.unmuteAlert(id(req)));
}
