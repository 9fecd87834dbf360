/**
 * /api/v1/alert-rules (create, list, show, update, delete, mute, unmute) and /api/v1/alerts (list, show, mute,
 * unmute). (Writes need admin: see plugin.ts.) A rule is about its condition's project (none: every project);
 * an alert about its rule's: only those the caller may read are listed or found (scoped-lookups.ts).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AlertPage,
  AlertQuery,
  AlertResponse,
  AlertRuleList,
  type AlertRule,
  AlertRuleResponse,
  CreateAlertRuleRequest,
  MuteRequest,
  UpdateAlertRuleRequest,
} from '@scrapyard/protocol';
import { alertNotFound, ruleNotFound, type AlertRuleService } from '../../alerts/rule-service.js';
import { parseOr400 } from '@scrapyard/protocol';
import type { CheckedApp } from './checked-answers.js';
import { onlyVisible, revealer, type VisibleOf } from './scoped-lookups.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const rule = { schema: { response: { 200: AlertRuleResponse } } };
const alert = { schema: { response: { 200: AlertResponse } } };

const projectOfRule = (r: AlertRule) => ('project' in r.condition ? r.condition.project : null);

export function alertRoutes(app: CheckedApp, o: { alerts: AlertRuleService; visible: VisibleOf }): void {
  const s = o.alerts;
  const ruleProject = async (i: string) => projectOfRule(await s.get(i));
  const revealRule = revealer(o.visible, ruleProject, ruleNotFound);
  const revealAlert = revealer(o.visible, async (i) => ruleProject((await s.alert(i)).alert.ruleId), alertNotFound);
  const idParam = (req: FastifyRequest) => parseOr400(IdParams, req.params, 'path').id;
  const ruleId = (req: FastifyRequest) => revealRule(req, idParam(req));
  const alertId = (req: FastifyRequest) => revealAlert(req, idParam(req));
  const body = <T extends z.ZodType>(schema: T, req: { body: unknown }) => parseOr400(schema, req.body, 'body');
  const visibleRules = async (req: FastifyRequest) =>
    onlyVisible(o.visible(req), (await s.list()).rules, projectOfRule);
  app.get('/alert-rules', { schema: { response: { 200: AlertRuleList } } }, async (req) => ({
    rules: await visibleRules(req),
  }));
  app.post('/alert-rules', { schema: { response: { 201: AlertRuleResponse } } }, async (req, reply) =>
    reply.code(201).send(await s.create(body(CreateAlertRuleRequest, req))),
  );
  app.get('/alert-rules/:id', rule, async (req) => ({ rule: await s.get(await ruleId(req)) }));
  app.patch('/alert-rules/:id', rule, async (req) => s.update(await ruleId(req), body(UpdateAlertRuleRequest, req)));
  app.delete('/alert-rules/:id', async (req, reply) => {
    await s.delete(await ruleId(req));
    return reply.code(204).send();
  });
  app.post('/alert-rules/:id/mute', rule, async (req) => s.muteRule(await ruleId(req), body(MuteRequest, req)));
  app.post('/alert-rules/:id/unmute', rule, async (req) => s.unmuteRule(await ruleId(req)));
  app.get('/alerts', { schema: { response: { 200: AlertPage } } }, async (req) => {
    const q = parseOr400(AlertQuery, req.query, 'query');
    // The rules seen decide the alerts seen, in the query: a page of alerts stays full.
    const ofRules = o.visible(req) === '*' ? undefined : (await visibleRules(req)).map((r) => r.id);
    return s.alerts(q, ofRules);
  });
  app.get('/alerts/:id', alert, async (req) => s.alert(await alertId(req)));
  app.post('/alerts/:id/mute', alert, async (req) => s.muteAlert(await alertId(req), body(MuteRequest, req)));
  app.post('/alerts/:id/unmute', alert, async (req) => s.unmuteAlert(await alertId(req)));
}
