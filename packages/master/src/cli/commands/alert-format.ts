/** How `scrapyard-master alert …` shows rules and alerts. */
import type { Alert, AlertRule } from '@scrapyard/protocol';
import { table, when } from '../values.js';

export function describe(c: AlertRule['condition']): string {
  const scope = 'project' in c ? (c.project ? `${c.project}/${c.spider ?? '*'}` : '*') : '';
  switch (c.kind) {
    case 'node_offline':
      return `node ${c.node ?? '*'} offline`;
    case 'node_resource':
      return `node ${c.node ?? '*'} ${c.resource} > ${c.abovePercent}%`;
    case 'job_outcome':
      return `${scope} outcome in ${c.outcomes.join(',')}`;
    case 'job_items':
      return [
        `${scope} items`,
        c.minItems === undefined ? '' : ` < ${c.minItems}`,
        c.minPercentOfMedian === undefined ? '' : ` < ${c.minPercentOfMedian}% of median of ${c.baselineRuns}`,
      ].join('');
    case 'job_errors':
      return [
        `${scope}`,
        c.maxErrors === undefined ? '' : ` errors > ${c.maxErrors}`,
        c.httpStatus === undefined ? '' : ` HTTP ${c.httpStatus} > ${c.maxStatusPercent}%`,
      ].join('');
    case 'schedule_fire':
      return `schedule ${c.schedule ?? '*'} ${c.on.join(',')}`;
  }
}

const duration = (s: number | null) => (s === null ? 'never' : `${s} s`);
const muted = (until: number | null) => (until !== null && until > Date.now() ? `muted until ${when(until)}` : '');

export function ruleTable(rules: AlertRule[]): string {
  const rows = [['ID', 'NAME', 'KIND', 'CONDITION', 'CHANNELS', 'FOR', 'REPEAT', 'STATE']];
  for (const r of rules) {
    rows.push([
      r.id,
      r.name,
      r.condition.kind,
      describe(r.condition),
      r.channels.join(',') || '-',
      `${r.forSeconds} s`,
      duration(r.repeatSeconds),
      [r.enabled ? 'enabled' : 'disabled', muted(r.mutedUntil)].filter(Boolean).join(', '),
    ]);
  }
  return table(rows);
}

export function showRule(r: AlertRule): string {
  return table([
    ['id', r.id],
    ['name', r.name],
    ['kind', r.condition.kind],
    ['condition', describe(r.condition)],
    ['channels', r.channels.join(', ') || '-'],
    ['for', `${r.forSeconds} s`],
    ['repeat', duration(r.repeatSeconds)],
    ['send resolved', r.sendResolved ? 'yes' : 'no'],
    ['state', r.enabled ? 'enabled' : 'disabled'],
    ['muted until', when(r.mutedUntil)],
    ['created', when(r.createdAt)],
    ['updated', when(r.updatedAt)],
  ]);
}

export function alertTable(alerts: Alert[]): string {
  const rows = [['ID', 'RULE', 'STATE', 'SUBJECT', 'SUMMARY', 'SINCE', 'NOTICES', 'MUTED']];
  for (const a of alerts) {
    rows.push([
      a.id,
      a.ruleId,
      a.state,
      a.subject,
      a.summary,
      when(a.firedAt ?? a.startedAt),
      String(a.notices),
      muted(a.mutedUntil) || '-',
    ]);
  }
  return table(rows);
}
