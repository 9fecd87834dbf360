/** Rows as the REST API shows them. */
import type { Alert, AlertCondition, AlertRule, AlertRuleKind } from '@scrapyard/protocol';
import type { AlertRow, AlertRuleRow } from '../db/repos/alerts.js';

export function ruleView(r: AlertRuleRow): AlertRule {
  return {
    id: r.id,
    name: r.name,
    condition: JSON.parse(r.condition) as AlertCondition,
    channels: JSON.parse(r.channels) as string[],
    forSeconds: r.for_seconds,
    repeatSeconds: r.repeat_seconds,
    sendResolved: r.send_resolved === 1,
    enabled: r.enabled === 1,
    mutedUntil: r.muted_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function alertView(r: AlertRow): Alert {
  return {
    id: r.id,
    ruleId: r.rule_id,
    kind: r.kind as AlertRuleKind,
    subject: r.subject,
    state: r.state,
    summary: r.summary,
    detail: r.detail,
    labels: JSON.parse(r.labels) as Record<string, string>,
    link: r.link,
    startedAt: r.started_at,
    firedAt: r.fired_at,
    resolvedAt: r.resolved_at,
    lastNotifiedAt: r.last_notified_at,
    notices: r.notices,
    mutedUntil: r.muted_until,
  };
}
