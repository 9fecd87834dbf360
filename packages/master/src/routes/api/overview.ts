/**
 * GET /api/v1/overview?tz=Europe/Paris: the dashboard's counters over the projects the caller may read
 * (overview/overview.ts); `tz` names the zone whose calendar day is "today" (default UTC; an unknown zone is 400).
 */
import { Overview, OverviewQuery, parseOr400 } from '@scrapyard/protocol';
import type { AlertRuleService } from '../../alerts/rule-service.js';
import { needs } from '../../auth/access-rules.js';
import { overview, type OverviewDeps } from '../../overview/overview.js';
import { projectOfRule } from './alerts.js';
import type { CheckedApp } from './checked-answers.js';
import { onlyVisible, type VisibleOf } from './scoped-lookups.js';

/** Firing alerts counted at most (the dashboard shows "1000+" past it). */
const ALERTS_COUNTED = 1_000;

export function overviewRoutes(
  app: CheckedApp,
  o: Omit<OverviewDeps, 'firingAlerts'> & { alerts: AlertRuleService; visible: VisibleOf },
): void {
  const firingAlerts: OverviewDeps['firingAlerts'] = async (v) => {
    const ofRules =
      v === '*' ? undefined : onlyVisible(v, (await o.alerts.list()).rules, projectOfRule).map((r) => r.id);
    return (await o.alerts.alerts({ state: 'firing', limit: ALERTS_COUNTED }, ofRules)).alerts.length;
  };
  const deps: OverviewDeps = { jobs: o.jobs, nodes: o.nodes, now: o.now, firingAlerts };
  const answers = { schema: { response: { 200: Overview } }, config: needs('read') };
  app.get('/overview', answers, async (req) => {
    const { tz } = parseOr400(OverviewQuery, req.query, 'query');
    return overview(deps, o.visible(req), tz);
  });
}
