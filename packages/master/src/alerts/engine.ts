/**
 * The alert engine: evaluates the rules against what the domain events announce (finished jobs, schedule fires)
 * and, every check interval, against the nodes; moves each (rule, subject) alert pending → firing → resolved;
 * sends the first notice, repeats and the resolved message through the durable outbox.
 *
 * All work runs one task at a time, so an alert is never changed by two evaluations at once. A notice is enqueued
 * before the state that records it is written, under a key derived from the alert and its notice number, so a
 * crash in between re-sends nothing: the next check computes the same key and the outbox ignores it. It takes
 * `job.finished` as a durable consumer (events/durable-consumer.ts, named `alerts`): jobs finished while the master
 * was down are caught up from the jobs table, from a mark that only moves past a job once it has been evaluated.
 */
import type { Logger } from 'pino';
import type { AlertCondition, NodeInfo } from '@scrapyard/protocol';
import type { AlertRow, AlertRuleRow, AlertsRepo } from '../db/repos/alerts.js';
import type { ConsumerMarks } from '../db/repos/consumer-marks.js';
import type { JobHistoryRepo } from '../db/repos/job-history.js';
import type { DomainEvents, Published } from '../events/domain-events.js';
import { DurableConsumer } from '../events/durable-consumer.js';
import { jobEventKey, jobEventPosition, jobHistory } from '../events/job-history.js';
import type { AlertNotifier } from '../deliveries/notice.js';
import { inScope, isJobCondition, isNodeCondition, judgeFire, judgeNode } from './conditions.js';
import { FinalStats, type RunStats, type StatsSource } from './final-stats.js';
import { AlertLifecycle, type Rule } from './lifecycle.js';
import { evaluateRun } from './run-evaluation.js';
import type { RuleListener } from './rule-service.js';

/** Tasks waiting for the engine (events arrive faster than a stalled database takes them): beyond, dropped. */
const MAX_QUEUED = 100_000;
/** How long a finished run waits for its final stats to arrive (they are sent just before the finish). */
const FINAL_STATS_WAIT_MS = 3_000;
export { MAX_OPEN_PER_RULE } from './lifecycle.js';

export interface AlertEngineDeps {
  repo: AlertsRepo;
  marks: ConsumerMarks;
  history: JobHistoryRepo;
  notifier: AlertNotifier;
  events: DomainEvents;
  stats: StatsSource;
  nodes: () => Promise<NodeInfo[]>;
  baseUrl: () => string;
  now: () => number;
  logger: Logger;
  checkMs: number;
  startupGraceMs: number;
  /** How long a finished run waits for its final stats (default 3 s). */
  finalStatsWaitMs?: number;
  /** Open alerts per rule; at the cap, new subjects are not opened (logged, counted). Default MAX_OPEN_PER_RULE. */
  maxOpenPerRule?: number;
}

export class AlertEngine implements RuleListener {
  readonly #d: AlertEngineDeps;
  readonly #log: Logger;
  readonly #rules = new Map<string, Rule>();
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  #timer: NodeJS.Timeout | null = null;
  #checkQueued = false;
  #startedAt = 0;
  #unsubscribe: (() => void)[] = [];
  readonly #finished: DurableConsumer<'job.finished'>;
  readonly #stats: FinalStats;
  readonly #life: AlertLifecycle;

  constructor(d: AlertEngineDeps) {
    this.#d = d;
    this.#log = d.logger.child({ component: 'alerts' });
    this.#life = new AlertLifecycle(d, this.#log);
    this.#stats = new FinalStats(d.stats, d.finalStatsWaitMs ?? FINAL_STATS_WAIT_MS, MAX_QUEUED);
    this.#finished = new DurableConsumer({
      name: 'alerts',
      types: ['job.finished'],
      events: d.events,
      marks: d.marks,
      history: jobHistory(d.history, ['job.finished']),
      position: jobEventPosition,
      key: jobEventKey,
      handle: (events, how) => (how.caughtUp ? this.#catchUp(events) : this.#onFinished(events[0]!)),
      now: d.now,
      logger: d.logger,
    });
  }

  /** Subscribes (before the job core starts, so its start-up finishes are seen), loads rules, catches up. */
  async start(): Promise<void> {
    this.#startedAt = this.#d.now();
    const e = this.#d.events;
    this.#unsubscribe = [
      e.on('job.stats', (ev) => {
        if (ev.final) this.#stats.arrived(ev.job.runId);
      }),
      e.on('schedule.fired', (ev) => this.#enqueue(() => this.#onFire(ev))),
    ];
    for (const row of await this.#d.repo.rules.all()) this.#cache(row);
    this.#enqueue(() => this.#closeArgumentSubjects());
    await this.#finished.start();
    this.#timer = setInterval(() => this.#scheduleCheck(), this.#d.checkMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const u of this.#unsubscribe) u();
    await this.#finished.stop(async () => {
      this.#stats.wakeAll();
      await this.#chain;
    });
  }

  /** The alerts firing now, for the metrics gauge at start. */
  async firing(): Promise<{ alertId: string; ruleKind: string }[]> {
    return (await this.#d.repo.allActive())
      .filter((a) => a.state === 'firing')
      .map((a) => ({ alertId: a.id, ruleKind: a.kind }));
  }

  // ----- rule changes (from the rule service) -----

  ruleChanged(id: string, row: AlertRuleRow | null): Promise<void> {
    return this.#run(async () => {
      const before = this.#rules.get(id);
      const reset =
        !row || !before || before.row.condition !== row.condition || (before.row.enabled === 1 && row.enabled !== 1);
      if (reset && before) {
        // A changed condition or a disabled rule: its alerts no longer mean what they said. Closed without a message.
        for (const a of await this.#d.repo.allActive()) {
          if (a.rule_id === id) await this.#life.resolve(before, a, null, false);
        }
      }
      if (row) this.#cache(row);
      else this.#rules.delete(id);
      if (row) await this.#check(); // a mute lifted or a shorter repeat: what is now owed goes out
    });
  }

  alertMuted(): Promise<void> {
    return this.check();
  }

  /** Runs a check now (after what is queued): nodes, pending alerts due, repeats, ended mutes. */
  check(): Promise<void> {
    return this.#run(() => this.#check());
  }

  /** Resolves once everything queued so far has run. */
  async idle(): Promise<void> {
    while (this.#queued > 0 || this.#finished.busy) {
      await this.#chain;
      await new Promise((r) => setImmediate(r));
    }
  }

  #cache(row: AlertRuleRow): void {
    this.#rules.set(row.id, {
      row,
      condition: JSON.parse(row.condition) as AlertCondition,
      channels: JSON.parse(row.channels) as string[],
    });
  }

  #enabled(): Rule[] {
    return [...this.#rules.values()].filter((r) => r.row.enabled === 1);
  }

  // ----- the one queue -----

  #enqueue(task: () => Promise<void>): void {
    if (this.#queued >= MAX_QUEUED) {
      this.#log.error({ max: MAX_QUEUED }, 'alert engine queue full: an evaluation was dropped');
      return;
    }
    void this.#run(task).catch(() => undefined);
  }

  /** Runs a task after the ones before it; its failure is logged and returned, and does not stop the queue. */
  #run(task: () => Promise<void>): Promise<void> {
    this.#queued++;
    const p = this.#chain.then(task).finally(() => this.#queued--);
    this.#chain = p.catch((err: unknown) => this.#log.error({ err }, 'alert evaluation failed'));
    return p;
  }

  #scheduleCheck(): void {
    if (this.#checkQueued) return;
    this.#checkQueued = true;
    this.#enqueue(async () => {
      this.#checkQueued = false;
      await this.#check();
    });
  }

  // ----- jobs -----

  /** A run finished (live): judged once its final stats are in; resolves once it has been. */
  async #onFinished(ev: Published<'job.finished'>): Promise<void> {
    const rules = this.#enabled().filter(
      (r) => isJobCondition(r.condition) && inScope(r.condition, ev.job.project, ev.job.spider),
    );
    if (rules.length === 0) return;
    // Only item and error rules read the stats: an outcome rule doesn't wait for them.
    const counts = rules.some((r) => r.condition.kind !== 'job_outcome');
    const stats = counts ? await this.#stats.get(ev.job.runId) : undefined;
    await this.#evaluate(() => this.#evaluateRun(ev.job.runId, stats));
  }

  /** Queues an evaluation and waits for it; a full queue fails it (the consumer retries it later). */
  #evaluate(task: () => Promise<void>): Promise<void> {
    if (this.#queued >= MAX_QUEUED) return Promise.reject(new Error('alert engine queue full'));
    return this.#run(task);
  }

  /** Jobs finished while no engine watched (a page of them, oldest first), judged with the stats they have. */
  #evaluateRun(runId: string, stats: RunStats): Promise<void> {
    return evaluateRun({ ...this.#d, life: this.#life, rules: this.#enabled() }, runId, stats);
  }

  #catchUp(events: Published<'job.finished'>[]): Promise<void> {
    return this.#evaluate(async () => {
      for (const ev of events) await this.#evaluateRun(ev.job.runId, await this.#d.stats.get(ev.job.runId));
    });
  }

  /**
   * Job alerts opened before subjects left out spider arguments (`project/spider?k=v`): nothing would ever resolve
   * them, so they are closed without a message; the spider's next failure opens its one alert.
   */
  async #closeArgumentSubjects(): Promise<void> {
    for (const a of await this.#d.repo.allActive()) {
      const rule = this.#rules.get(a.rule_id);
      if (rule && isJobCondition(rule.condition) && a.subject.includes('?')) {
        await this.#life.resolve(rule, a, null, false);
      }
    }
  }

  // ----- schedules -----

  async #onFire(ev: Published<'schedule.fired'>): Promise<void> {
    const link = `${this.#d.baseUrl()}/api/v1/schedules/${encodeURIComponent(ev.scheduleId)}`;
    for (const rule of this.#enabled()) {
      const c = rule.condition;
      if (c.kind !== 'schedule_fire' || (c.schedule && c.schedule !== ev.scheduleId)) continue;
      const verdict = judgeFire(c, ev);
      if (verdict) await this.#life.observe(rule, ev.scheduleId, verdict, link);
    }
  }

  // ----- the periodic check: nodes, and what time makes due -----

  async #check(): Promise<void> {
    const now = this.#d.now();
    const active = new Map<string, AlertRow>();
    for (const a of await this.#d.repo.allActive()) active.set(`${a.rule_id}\n${a.subject}`, a);
    const nodeRules = this.#enabled().filter((r) => isNodeCondition(r.condition));
    if (nodeRules.length > 0) {
      const nodes = (await this.#d.nodes()).filter((n) => !n.revoked && n.kind !== 'temporary');
      const offlineCounts = now - this.#startedAt >= this.#d.startupGraceMs;
      const seen = new Set<string>();
      for (const rule of nodeRules) {
        const c = rule.condition;
        if (!isNodeCondition(c)) continue;
        for (const n of nodes) {
          if (c.node && c.node !== n.nodeId) continue;
          const key = `${rule.row.id}\n${n.nodeId}`;
          seen.add(key);
          const link = `${this.#d.baseUrl()}/api/v1/nodes/${encodeURIComponent(n.nodeId)}`;
          await this.#life.observe(rule, n.nodeId, judgeNode(c, n, now, offlineCounts), link, active.get(key) ?? null);
        }
      }
      // A node revoked (or gone) while its alert was active: nothing holds any more.
      for (const [key, a] of active) {
        const rule = this.#rules.get(a.rule_id);
        if (rule && isNodeCondition(rule.condition) && !seen.has(key)) await this.#life.resolve(rule, a, null, true);
      }
    }
    for (const a of await this.#d.repo.allActive()) {
      const rule = this.#rules.get(a.rule_id);
      if (rule) await this.#life.advance(rule, a);
    }
  }

  /** Subjects not opened because the rule was at its cap, since the engine started (tests, diagnostics). */
  suppressedCount(ruleId: string): number {
    return this.#life.suppressedCount(ruleId);
  }
}
