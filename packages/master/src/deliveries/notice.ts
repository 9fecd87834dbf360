/**
 * What the alert engine hands to delivery: one notification of an alert's state, addressed to channels. The
 * deliveries module renders it per channel (email, Slack, Telegram, signed webhook) and sends it through the
 * durable outbox, so a notice accepted here survives a master restart and is retried until delivered or dead.
 */
export interface AlertNotice {
  alertId: string;
  ruleId: string;
  ruleName: string;
  ruleKind: string;
  /** firing (first notice or a repeat) or resolved. */
  state: 'firing' | 'resolved';
  /** 0 for the first firing notice, then 1, 2, … for each repeat while it holds; 0 for resolved. */
  repeat: number;
  /** What the alert is about: a node id, `project/spider`, a schedule id. */
  subject: string;
  /** One line, e.g. `[FIRING] crawl failed: shop/products (job 3f2a…) on node n1`. */
  title: string;
  /** A few lines of detail: values against thresholds, the job, its node and outcome. */
  text: string;
  /** The job's (or node's) page on the master, absolute; null when the master's public URL is unknown. */
  link: string | null;
  /** Structured facts for machine receivers (signed webhook channel): job_id, node_id, project, spider, value… */
  labels: Record<string, string>;
  /** When the alert entered this state (epoch ms). */
  at: number;
}

export interface AlertNotifier {
  /**
   * Durably enqueues one delivery per channel. `key` makes it idempotent: the same key for the same channel is
   * enqueued once (e.g. `${alertId}:firing:${repeat}`), so an engine that retries after a crash sends nothing twice.
   * Resolves once the rows are committed. Unknown channel ids are skipped (a rule may name a deleted channel).
   */
  notify(channelIds: readonly string[], notice: AlertNotice, key: string): Promise<void>;
  /** Ids among `ids` that name no channel (validation of a rule's channel list: unknown ones are a 400). */
  missingChannels(ids: readonly string[]): Promise<string[]>;
}
