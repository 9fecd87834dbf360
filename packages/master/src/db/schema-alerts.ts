/** Tables of alerting: the rules and their alerts (kept apart from schema.ts for size). */

/** An alert rule (the condition as JSON text, validated by AlertCondition when written). */
export interface AlertRulesTable {
  id: string;
  name: string;
  kind: string;
  condition: string;
  /** JSON array of channel ids. */
  channels: string;
  for_seconds: number;
  repeat_seconds: number | null;
  send_resolved: number;
  enabled: number;
  muted_until: number | null;
  created_at: number;
  updated_at: number;
}

/** One alert of a rule about one subject: pending → firing → resolved (or pending → resolved, never sent). */
export interface AlertsTable {
  id: string;
  rule_id: string;
  kind: string;
  subject: string;
  state: 'pending' | 'firing' | 'resolved';
  summary: string;
  detail: string;
  /** JSON object of strings. */
  labels: string;
  link: string | null;
  started_at: number;
  fired_at: number | null;
  resolved_at: number | null;
  last_notified_at: number | null;
  notices: number;
  muted_until: number | null;
}
