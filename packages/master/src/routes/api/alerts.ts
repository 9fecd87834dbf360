/**
 * /api/v1/alert-rules (create, list, show, update, delete, mute, unmute) and /api/v1/alerts (list, show, mute,
 * unmute). (Writes need admin: see plugin.ts.)
 */
import { z } from 'zod';
import {
  AlertPage,
  AlertQuery,
  AlertResponse,
  AlertRuleList,
  AlertRuleResponse,
  CreateAlertRuleRequest,
  MuteRequest,
  UpdateAlertRuleRequest,
} from '@scrapyard/protocol';
import type { AlertRuleService } from '../../alerts/rule-service.js';
import { parseOr400 } from '../../services/api-error.js';
import type { CheckedApp } from './checked-answers.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const rule = { schema: { response: { 200: AlertRuleResponse } } };
const alert = { schema: { response: { 200: AlertResponse } } };

export function alertRoutes(app: CheckedApp, o: { alerts: AlertRuleService }): void {
  const s = o.alerts;
  const id = (req: { params: unknown }) => parseOr400(IdParams, req.params, 'path').id;
  const body = <T extends z.ZodType>(schema: T, req: { body: unknown }) => parseOr400(schema, req.body, 'body');
  app.get('/alert-rules', { schema: { response: { 200: AlertRuleList } } }, async () => s.list());
  app.post('/alert-rules', { schema: { response: { 201: AlertRuleResponse } } }, async (req, reply) =>
    reply.code(201).send(await s.create(body(CreateAlertRuleRequest, req))),
  );
  app.get('/alert-rules/:id', rule, async (req) => ({ rule: await s.get(id(req)) }));
  app.patch('/alert-rules/:id', rule, async (req) => s.update(id(req), body(UpdateAlertRuleRequest, req)));
  app.delete('/alert-rules/:id', async (req, reply) => {
    await s.delete(id(req));
    return reply.code(204).send();
  });
  app.post('/alert-rules/:id/mute', rule, async (req) => s.muteRule(id(req), body(MuteRequest, req)));
  app.post('/alert-rules/:id/unmute', rule, async (req) => s.unmuteRule(id(req)));
  app.get('/alerts', { schema: { response: { 200: AlertPage } } }, async (req) =>
    s.alerts(parseOr400(AlertQuery, req.query, 'query')),
  );
  app.get('/alerts/:id', alert, async (req) => s.alert(id(req)));
  app.post('/alerts/:id/mute', alert, async (req) => s.muteAlert(id(req), body(MuteRequest, req)));
  app.post('/alerts/:id/unmute', alert, async (req) => s.unmuteAlert(id(req)));
}
