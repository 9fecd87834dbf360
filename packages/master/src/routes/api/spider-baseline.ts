/**
 * GET /api/v1/projects/:project/spiders/:spider/baseline?runs=5: what an items alert rule compares the spider's
 * next run against (alerts/spider-baseline.ts), for the spider's page. Read on the project.
 */
import { z } from 'zod';
import { ProjectName, SpiderBaseline, SpiderBaselineQuery, SpiderName, parseOr400 } from '@scrapyard/protocol';
import type { AlertRuleService } from '../../alerts/rule-service.js';
import { inParams, needs } from '../../auth/access-rules.js';
import type { CheckedApp } from './checked-answers.js';

const Params = z.object({ project: ProjectName, spider: SpiderName });

export function spiderBaselineRoutes(app: CheckedApp, o: { alerts: AlertRuleService }): void {
  const opts = { schema: { response: { 200: SpiderBaseline } }, config: needs('read', inParams()) };
  app.get('/projects/:project/spiders/:spider/baseline', opts, async (req) => {
    const { project, spider } = parseOr400(Params, req.params, 'path');
    const { runs } = parseOr400(SpiderBaselineQuery, req.query ?? {}, 'query');
    return o.alerts.baseline(project, spider, runs);
  });
}
