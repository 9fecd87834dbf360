/** An alert's notice as the deliveries module takes it: the rule, what holds, the job or node, and a link. */
import type { AlertRow, AlertRuleRow } from '../db/repos/alerts.js';
import type { AlertNotice } from '../deliveries/notice.js';

export function noticeOf(
  rule: AlertRuleRow,
  a: AlertRow,
  state: 'firing' | 'resolved',
  repeat: number,
  at: number,
): AlertNotice {
  const tag = state === 'resolved' ? '[RESOLVED]' : repeat > 0 ? `[FIRING, repeat ${repeat}]` : '[FIRING]';
  const since = new Date(a.fired_at ?? a.started_at).toISOString();
  // The channel renderers add the rule, the alert id and the link.
  const lines = [
    a.detail,
    state === 'resolved' ? `Firing since ${since}, resolved ${new Date(at).toISOString()}` : `Firing since ${since}`,
  ];
  return {
    alertId: a.id,
    ruleId: rule.id,
    ruleName: rule.name,
    ruleKind: rule.kind,
    state,
    repeat: state === 'resolved' ? 0 : repeat,
    subject: a.subject,
    title: `${tag} ${rule.name}: ${a.summary}`,
    text: lines.join('\n'),
    link: a.link,
    labels: { ...(JSON.parse(a.labels) as Record<string, string>), rule: rule.name, subject: a.subject },
    at,
  };
}
