/**
 * One alert's life, pending → firing → resolved: opening it (under the rule's cap), what time makes due (firing
 * after `for`, the first notice, repeats that skip channels still busy with an earlier notice), closing it with the
 * resolved message. The engine (engine.ts) decides when to observe; this decides what an observation changes, and
 * announces each change as `alert.changed`.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertCondition } from '@scrapyard/protocol';
import type { AlertRow, AlertRuleRow, AlertsRepo } from '../db/repos/alerts.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { AlertNotifier } from '../deliveries/notice.js';
import type { Facts, Verdict } from './conditions.js';
import { noticeOf } from './messages.js';

/** Open (pending or firing) alerts one rule may have unless configured (max_open_alerts_per_rule). */
export const MAX_OPEN_PER_RULE = 100;
/** A rule at its cap logs the subjects it could not open at most once per this period (with the count). */
const SUPPRESSED_LOG_MS = 10 * 60_000;

/** A rule as the engine caches it: its row, with the condition and channels parsed. */
export interface Rule {
  row: AlertRuleRow;
  condition: AlertCondition;
  channels: string[];
}

export interface AlertLifecycleDeps {
  repo: AlertsRepo;
  notifier: AlertNotifier;
  events: DomainEvents;
  now: () => number;
  /** Open alerts per rule; at the cap, new subjects are not opened (logged, counted). Default MAX_OPEN_PER_RULE. */
  maxOpenPerRule?: number;
}

export class AlertLifecycle {
  readonly #d: AlertLifecycleDeps;
  readonly #log: Logger;
  /** Per rule at its open-alert cap: subjects not opened since the last warning, and when that was. */
  readonly #suppressed = new Map<string, { count: number; total: number; loggedAt: number | null }>();

  constructor(d: AlertLifecycleDeps, log: Logger) {
    this.#d = d;
    this.#log = log;
  }

  /**
   * One observation of a rule's condition about a subject. `active`: the alert already looked up (undefined: look
   * it up here).
   */
  async observe(rule: Rule, subject: string, v: Verdict, link: string, active?: AlertRow | null): Promise<void> {
    const a = active === undefined ? await this.#d.repo.active(rule.row.id, subject) : active;
    if (!v.holds) {
      if (a) await this.resolve(rule, a, { ...v, link }, true);
      return;
    }
    const facts = { summary: v.summary, detail: v.detail, labels: JSON.stringify(v.labels), link };
    if (a) {
      if (a.summary !== facts.summary || a.detail !== facts.detail || a.labels !== facts.labels) {
        await this.#d.repo.update(a.id, facts);
        Object.assign(a, facts);
      }
      await this.advance(rule, a);
      return;
    }
    if (!(await this.#mayOpen(rule, subject))) return;
    const row: AlertRow = {
      id: `al_${randomBytes(10).toString('hex')}`,
      rule_id: rule.row.id,
      kind: rule.row.kind,
      subject,
      state: 'pending',
      ...facts,
      started_at: this.#d.now(),
      fired_at: null,
      resolved_at: null,
      last_notified_at: null,
      notices: 0,
      muted_until: null,
    };
    await this.#d.repo.insert(row);
    this.#log.info({ alertId: row.id, ruleId: rule.row.id, subject }, 'alert pending');
    this.#changed(rule, row);
    await this.advance(rule, row);
  }

  /**
   * Whether the rule may open one more alert: at its cap (max_open_alerts_per_rule) the subject is not opened. That
   * is logged at warn, at most once per rule every 10 minutes, with how many were not opened since.
   */
  async #mayOpen(rule: Rule, subject: string): Promise<boolean> {
    const max = this.#d.maxOpenPerRule ?? MAX_OPEN_PER_RULE;
    if ((await this.#d.repo.countActive(rule.row.id)) < max) return true;
    const now = this.#d.now();
    const s = this.#suppressed.get(rule.row.id) ?? { count: 0, total: 0, loggedAt: null };
    s.count++;
    s.total++;
    this.#suppressed.set(rule.row.id, s);
    if (s.loggedAt === null || now - s.loggedAt >= SUPPRESSED_LOG_MS) {
      this.#log.warn(
        { event: 'alert.suppressed', ruleId: rule.row.id, subject, suppressed: s.count, suppressedTotal: s.total, max },
        `alert not opened: rule ${rule.row.id} has ${max} open alerts (max_open_alerts_per_rule); ${s.count} subject(s) not opened since the last warning`,
      );
      s.count = 0;
      s.loggedAt = now;
    }
    return false;
  }

  /** Subjects not opened because the rule was at its cap, since the engine started (tests, diagnostics). */
  suppressedCount(ruleId: string): number {
    return this.#suppressed.get(ruleId)?.total ?? 0;
  }

  /** What time makes due: pending → firing once it has held `for` seconds, the first notice, repeats. */
  async advance(rule: Rule, a: AlertRow): Promise<void> {
    const now = this.#d.now();
    if (a.state === 'pending') {
      if (now < a.started_at + rule.row.for_seconds * 1000) return;
      a.state = 'firing';
      a.fired_at = now;
      await this.#d.repo.update(a.id, { state: 'firing', fired_at: now });
      this.#log.info({ alertId: a.id, ruleId: rule.row.id, subject: a.subject, summary: a.summary }, 'alert firing');
      this.#changed(rule, a);
    }
    if (a.state !== 'firing' || rule.channels.length === 0 || this.#muted(rule, a, now)) return;
    const repeat = rule.row.repeat_seconds;
    const due = a.last_notified_at === null || (repeat !== null && now >= a.last_notified_at + repeat * 1000);
    if (!due) return;
    const n = a.notices;
    let to = rule.channels;
    if (n > 0) {
      // A repeat skips the channels still trying to deliver an earlier notice of this alert: nothing piles up
      // behind a receiver that is down. When no channel is free, the repeat waits and goes out once one is.
      const busy = await this.#d.repo.firingNoticePending(to, a.id);
      to = to.filter((c) => !busy.has(c));
      if (to.length === 0) return;
    }
    await this.#d.notifier.notify(to, noticeOf(rule.row, a, 'firing', n, now), `${a.id}:firing:${n}`);
    a.last_notified_at = now;
    a.notices = n + 1;
    await this.#d.repo.update(a.id, { last_notified_at: now, notices: n + 1 });
  }

  /** Closes an alert; a firing one that had sent a notice sends the resolved message (unless `notify` is false). */
  async resolve(rule: Rule, a: AlertRow, facts: (Facts & { link: string }) | null, notify: boolean): Promise<void> {
    const now = this.#d.now();
    if (facts) {
      a.summary = facts.summary;
      a.detail = facts.detail;
      a.labels = JSON.stringify(facts.labels);
      a.link = facts.link;
    }
    const send =
      notify &&
      a.state === 'firing' &&
      a.notices > 0 &&
      rule.row.send_resolved === 1 &&
      rule.channels.length > 0 &&
      !this.#muted(rule, a, now);
    if (send) {
      await this.#d.notifier.notify(rule.channels, noticeOf(rule.row, a, 'resolved', 0, now), `${a.id}:resolved`);
    }
    a.state = 'resolved';
    a.resolved_at = now;
    await this.#d.repo.update(a.id, {
      state: 'resolved',
      resolved_at: now,
      summary: a.summary,
      detail: a.detail,
      labels: a.labels,
      link: a.link,
    });
    this.#log.info({ alertId: a.id, ruleId: rule.row.id, subject: a.subject, notified: send }, 'alert resolved');
    this.#changed(rule, a);
    await this.#d.repo.trimResolved(rule.row.id);
  }

  #muted(rule: Rule, a: AlertRow, now: number): boolean {
    return (rule.row.muted_until ?? 0) > now || (a.muted_until ?? 0) > now;
  }

  #changed(rule: Rule, a: AlertRow): void {
    this.#d.events.publish({
      type: 'alert.changed',
      alertId: a.id,
      ruleId: rule.row.id,
      ruleKind: rule.row.kind,
      project: 'project' in rule.condition ? (rule.condition.project ?? null) : null,
      subject: a.subject,
      state: a.state,
    });
  }
}
