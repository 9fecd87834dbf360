/**
 * /api/v1/alert-rules (create, list, show, update, delete, mute, unmute) and /api/v1/alerts (list, show, mute,
 * unmute). A rule, and its alerts, act on the project of its condition; a rule of every project (a node rule, or
 * one without a project) needs a `*` grant (auth/access-rules.ts). Only those the caller may read are listed or
 * found: an id of a hidden one answers as a missing one (scoped-lookups.ts).
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
import { needs, ofResource, type ProjectRef } from '../../auth/access-rules.js';
import type { CheckedApp } from './checked-answers.js';
import { onlyVisible, revealer, type VisibleOf } from './scoped-lookups.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** The project a condition watches; null: every project (or none: nodes). */
const conditionProject = (c: unknown): ProjectRef => {
  const p = c !== null && typeof c === 'object' ? (c as { project?: unknown }).project : undefined;
  return typeof p === 'string' ? p : null;
};
const bodyCondition = (body: unknown) =>
  body !== null && typeof body === 'object' ? (body as { condition?: unknown }).condition : undefined;
export const projectOfRule = (r: AlertRule) => conditionProject(r.condition);

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

  // A hidden rule or alert names no project here (its lookup fails): the handler then answers it as missing.
  const ofRule = ofResource("the rule's project", async (req) => ruleProject(await ruleId(req)));
  const ofAlert = ofResource("the alert's rule's project", async (req) =>
    ruleProject((await s.alert(await alertId(req))).alert.ruleId),
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
    find: async (req: FastifyRequest) => {
      const c = bodyCondition(req.body);
      return [
        await ruleId(req)
          .then(ruleProject)
          .catch(() => undefined),
        c === undefined ? undefined : conditionProject(c),
      ];
    },
  };
  const list = { schema: { response: { 200: AlertRuleList } }, config: needs('read') };
  app.get('/alert-rules', list, async (req) => ({ rules: await visibleRules(req) }));
  const create = { schema: { response: { 201: AlertRuleResponse } }, config: needs('configure', created) };
  app.post('/alert-rules', create, async (req, reply) =>
    reply.code(201).send(await s.create(body(CreateAlertRuleRequest, req))),
  );
  app.get('/alert-rules/:id', rule, async (req) => ({ rule: await s.get(await ruleId(req)) }));
  app.patch('/alert-rules/:id', { ...ruleChanged, config: needs('configure', moved) }, async (req) =>
    s.update(await ruleId(req), body(UpdateAlertRuleRequest, req)),
  );
  app.delete('/alert-rules/:id', { config: needs('configure', ofRule) }, async (req, reply) => {
    await s.delete(await ruleId(req));
    return reply.code(204).send();
  });
  app.post('/alert-rules/:id/mute', ruleChanged, async (req) => s.muteRule(await ruleId(req), body(MuteRequest, req)));
  app.post('/alert-rules/:id/unmute', ruleChanged, async (req) => s.unmuteRule(await ruleId(req)));
  app.get('/alerts', { schema: { response: { 200: AlertPage } }, config: needs('read') }, async (req) => {
    const q = parseOr400(AlertQuery, req.query, 'query');
    // The rules seen decide the alerts seen, in the query: a page of alerts stays full.
    const ofRules = o.visible(req) === '*' ? undefined : (await visibleRules(req)).map((r) => r.id);
    return s.alerts(q, ofRules);
  });
  app.get('/alerts/:id', alert, async (req) => s.alert(await alertId(req)));
  app.post('/alerts/:id/mute', alertChanged, async (req) => s.muteAlert(await alertId(req), body(MuteRequest, req)));
  app.post('/alerts/:id/unmute', alertChanged, async (req) => s.unmuteAlert(await alertId(req)));
}
