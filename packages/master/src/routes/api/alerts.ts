/**
 * /api/v1/alert-rules (create, list, show, update, delete, mute, unmute) and /api/v1/alerts (list, show, mute,
 * unmute). A rule, and its alerts, act on the project of its condition; a rule of every project (a node rule, or
 * one without a project) needs a `*` grant (auth/access-rules.ts).
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
import { parseOr400 } from '@scrapyard/protocol';
import { needs, ofResource, type ProjectRef } from '../../auth/access-rules.js';
import type { CheckedApp } from './checked-answers.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** The project a condition watches; null: every project (or none: nodes). */
const conditionProject = (c: unknown): ProjectRef => {
  const p = c !== null && typeof c === 'object' ? (c as { project?: unknown }).project : undefined;
  return typeof p === 'string' ? p : null;
};
const bodyCondition = (body: unknown) =>
  body !== null && typeof body === 'object' ? (body as { condition?: unknown }).condition : undefined;

export function alertRoutes(app: CheckedApp, o: { alerts: AlertRuleService }): void {
  const s = o.alerts;
  const id = (req: { params: unknown }) => parseOr400(IdParams, req.params, 'path').id;
  const body = <T extends z.ZodType>(schema: T, req: { body: unknown }) => parseOr400(schema, req.body, 'body');
  const ruleProject = async (ruleId: string) => conditionProject((await s.get(ruleId)).condition);
  const ofRule = ofResource("the rule's project", (req) => ruleProject(id(req)));
  const ofAlert = ofResource("the alert's rule's project", async (req) =>
    ruleProject((await s.alert(id(req))).alert.ruleId),
  );
  const rule = { schema: { response: { 200: AlertRuleResponse } }, config: needs('read', ofRule) };
  const ruleChanged = { schema: { response: { 200: AlertRuleResponse } }, config: needs('configure', ofRule) };
  const alert = { schema: { response: { 200: AlertResponse } }, config: needs('read', ofAlert) };
  const alertChanged = { schema: { response: { 200: AlertResponse } }, config: needs('configure', ofAlert) };
  const created = {
    of: 'body.condition.project (none: every project)',
    find: async (req: { body: unknown }) => conditionProject(bodyCondition(req.body)),
  };
  const moved = {
    of: "the rule's project and body.condition.project",
    find: async (req: { params: unknown; body: unknown }) => {
      const c = bodyCondition(req.body);
      return [await ruleProject(id(req)).catch(() => undefined), c === undefined ? undefined : conditionProject(c)];
    },
  };
  const list = { schema: { response: { 200: AlertRuleList } }, config: needs('read') };
  app.get('/alert-rules', list, async () => s.list());
  const create = { schema: { response: { 201: AlertRuleResponse } }, config: needs('configure', created) };
  app.post('/alert-rules', create, async (req, reply) =>
    reply.code(201).send(await s.create(body(CreateAlertRuleRequest, req))),
  );
  app.get('/alert-rules/:id', rule, async (req) => ({ rule: await s.get(id(req)) }));
  app.patch('/alert-rules/:id', { ...ruleChanged, config: needs('configure', moved) }, async (req) =>
    s.update(id(req), body(UpdateAlertRuleRequest, req)),
  );
  app.delete('/alert-rules/:id', { config: needs('configure', ofRule) }, async (req, reply) => {
    await s.delete(id(req));
    return reply.code(204).send();
  });
  app.post('/alert-rules/:id/mute', ruleChanged, async (req) => s.muteRule(id(req), body(MuteRequest, req)));
  app.post('/alert-rules/:id/unmute', ruleChanged, async (req) => s.unmuteRule(id(req)));
  app.get('/alerts', { schema: { response: { 200: AlertPage } }, config: needs('read') }, async (req) =>
    s.alerts(parseOr400(AlertQuery, req.query, 'query')),
  );
  app.get('/alerts/:id', alert, async (req) => s.alert(id(req)));
  app.post('/alerts/:id/mute', alertChanged, async (req) => s.muteAlert(id(req), body(MuteRequest, req)));
  app.post('/alerts/:id/unmute', alertChanged, async (req) => s.unmuteAlert(id(req)));
}
