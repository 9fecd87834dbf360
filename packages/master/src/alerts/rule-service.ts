/**
 * Alert rules and alerts as the REST API and the CLI manage them: rules are validated whole (condition by kind,
 * thresholds, channels that exist), alerts are listed, and either can be muted for a period. The engine is told
 * of every change so it evaluates the rules as stored.
 */
import { randomBytes } from 'node:crypto';
import type {
  Alert,
  AlertQuery,
  AlertRule,
  CreateAlertRuleRequest,
  MuteRequest,
  SpiderBaseline,
  UpdateAlertRuleRequest,
} from '@scrapyard/protocol';
import type { AlertRuleRow, AlertsRepo } from '../db/repos/alerts.js';
import { spiderBaseline } from './spider-baseline.js';
import type { AlertNotifier } from '../deliveries/notice.js';
import type { DomainEvents } from '../events/domain-events.js';
import { CatalogueError } from '@scrapyard/protocol';
import { alertView, ruleView } from './views.js';

const MAX_RULES = 1_000;

export interface RuleListener {
  /** A rule was created, changed or deleted (null: deleted). */
  ruleChanged(id: string, rule: AlertRuleRow | null): Promise<void>;
  /** An alert was muted or unmuted. */
  alertMuted(id: string): Promise<void>;
}

export class AlertRuleService {
  constructor(
    private readonly d: {
      repo: AlertsRepo;
      notifier: AlertNotifier;
      listener: RuleListener;
      now: () => number;
      /** Changes are announced here (`config.changed`), after their commit. */
      events?: Pick<DomainEvents, 'publish'>;
    },
  ) {}

  /** For the audit log (a rule holds no secret: its channels are named by id). */
  #announce(r: AlertRule, change: 'created' | 'updated' | 'deleted', summary: Record<string, unknown> = {}): void {
    this.d.events?.publish({
      type: 'config.changed',
      entity: 'alert-rule',
      id: r.id,
      project: null,
      change,
      summary: { name: r.name, kind: r.condition.kind, channels: r.channels, enabled: r.enabled, ...summary },
    });
  }

  /** The baseline items rules judge the spider's next run by (spider-baseline.ts). */
  baseline(project: string, spider: string, runs: number): Promise<SpiderBaseline> {
    return spiderBaseline(this.d.repo, { project, spider, runs, now: this.d.now() });
  }

  async list(): Promise<{ rules: AlertRule[] }> {
    return { rules: (await this.d.repo.rules.all()).map(ruleView) };
  }

  async #row(id: string): Promise<AlertRuleRow> {
    const row = await this.d.repo.rules.get(id);
    if (!row) throw ruleNotFound(id);
    return row;
  }

  async get(id: string): Promise<AlertRule> {
    return ruleView(await this.#row(id));
  }

  async #checkChannels(ids: readonly string[]): Promise<void> {
    const missing = await this.d.notifier.missingChannels(ids);
    if (missing.length > 0) {
      throw new CatalogueError(
        'UNKNOWN_CHANNEL',
        `no channel ${missing.join(', ')}: create it first (GET /api/v1/channels)`,
        { channels: missing },
      );
    }
  }

  async create(req: CreateAlertRuleRequest): Promise<{ rule: AlertRule }> {
    await this.#checkChannels(req.channels);
    if ((await this.d.repo.rules.count()) >= MAX_RULES) {
      throw new CatalogueError('LIMIT_REACHED', `at most ${MAX_RULES} alert rules: delete some first`, {
        max: MAX_RULES,
      });
    }
    const now = this.d.now();
    const row: AlertRuleRow = {
      id: `ar_${randomBytes(8).toString('hex')}`,
      name: req.name,
      kind: req.condition.kind,
      condition: JSON.stringify(req.condition),
      channels: JSON.stringify([...new Set(req.channels)]),
      for_seconds: req.forSeconds,
      repeat_seconds: req.repeatSeconds,
      send_resolved: req.sendResolved ? 1 : 0,
      enabled: req.enabled ? 1 : 0,
      muted_until: null,
      created_at: now,
      updated_at: now,
    };
    await this.d.repo.rules.insert(row);
    await this.d.listener.ruleChanged(row.id, row);
    this.#announce(ruleView(row), 'created', { condition: req.condition });
    return { rule: ruleView(row) };
  }

  async update(id: string, req: UpdateAlertRuleRequest): Promise<{ rule: AlertRule }> {
    await this.#row(id);
    if (req.channels) await this.#checkChannels(req.channels);
    const set: Partial<AlertRuleRow> = { updated_at: this.d.now() };
    if (req.name !== undefined) set.name = req.name;
    if (req.condition !== undefined) {
      set.kind = req.condition.kind;
      set.condition = JSON.stringify(req.condition);
    }
    if (req.channels !== undefined) set.channels = JSON.stringify([...new Set(req.channels)]);
    if (req.forSeconds !== undefined) set.for_seconds = req.forSeconds;
    if (req.repeatSeconds !== undefined) set.repeat_seconds = req.repeatSeconds;
    if (req.sendResolved !== undefined) set.send_resolved = req.sendResolved ? 1 : 0;
    if (req.enabled !== undefined) set.enabled = req.enabled ? 1 : 0;
    await this.d.repo.rules.update(id, set);
    const row = await this.#row(id);
    await this.d.listener.ruleChanged(id, row);
    this.#announce(ruleView(row), 'updated', { fields: Object.keys(req).sort() });
    return { rule: ruleView(row) };
  }

  async delete(id: string): Promise<void> {
    const row = await this.#row(id);
    // The engine resolves the rule's alerts first (silently), so the firing gauge and the API agree.
    await this.d.listener.ruleChanged(id, null);
    await this.d.repo.rules.delete(id);
    this.#announce(ruleView(row), 'deleted');
  }

  async muteRule(id: string, { seconds }: MuteRequest): Promise<{ rule: AlertRule }> {
    await this.#row(id);
    await this.d.repo.rules.update(id, { muted_until: this.d.now() + seconds * 1000 });
    const row = await this.#row(id);
    await this.d.listener.ruleChanged(id, row);
    this.#announce(ruleView(row), 'updated', { fields: ['mutedUntil'], mutedUntil: row.muted_until });
    return { rule: ruleView(row) };
  }

  async unmuteRule(id: string): Promise<{ rule: AlertRule }> {
    await this.#row(id);
    await this.d.repo.rules.update(id, { muted_until: null });
    const row = await this.#row(id);
    await this.d.listener.ruleChanged(id, row);
    this.#announce(ruleView(row), 'updated', { fields: ['mutedUntil'], mutedUntil: null });
    return { rule: ruleView(row) };
  }

  /** A page of alerts; `ofRules`: only those of these rules (the ones the caller may see), in the query. */
  async alerts(q: AlertQuery, ofRules?: readonly string[]): Promise<{ alerts: Alert[] }> {
    if (ofRules?.length === 0) return { alerts: [] };
    const states = q.state === undefined ? undefined : q.state === 'active' ? ['pending', 'firing'] : [q.state];
    const rows = await this.d.repo.page({
      states: states as ('pending' | 'firing' | 'resolved')[] | undefined,
      ruleId: q.rule,
      ruleIds: ofRules,
      limit: q.limit,
    });
    return { alerts: rows.map(alertView) };
  }

  async alert(id: string): Promise<{ alert: Alert }> {
    const row = await this.d.repo.get(id);
    if (!row) throw alertNotFound(id);
    return { alert: alertView(row) };
  }

  async muteAlert(id: string, { seconds }: MuteRequest): Promise<{ alert: Alert }> {
    await this.alert(id);
    await this.d.repo.update(id, { muted_until: this.d.now() + seconds * 1000 });
    await this.d.listener.alertMuted(id);
    return this.alert(id);
  }

  async unmuteAlert(id: string): Promise<{ alert: Alert }> {
    await this.alert(id);
    await this.d.repo.update(id, { muted_until: null });
    await this.d.listener.alertMuted(id);
    return this.alert(id);
  }
}

export const ruleNotFound = (id: string) => new CatalogueError('NOT_FOUND', `no alert rule ${id}`, { rule: id });
export const alertNotFound = (id: string) => new CatalogueError('NOT_FOUND', `no alert ${id}`, { alert: id });
