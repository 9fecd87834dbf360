/**
 * Alert rules and alerts (tables `alert_rules`, `alerts`), and the reads the alert engine evaluates against:
 * a spider's baseline runs and the finished jobs it catches up on after a restart.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { AlertRulesTable, AlertsTable } from '../schema-alerts.js';

export type AlertRuleRow = Selectable<AlertRulesTable>;
export type AlertRow = Selectable<AlertsTable>;

/** Resolved alerts kept per rule; older ones are trimmed. */
const RESOLVED_TO_KEEP = 1_000;

const num = (v: number | null): number | null => (v === null ? null : Number(v));
const ruleOf = (r: AlertRuleRow): AlertRuleRow => ({
  ...r,
  muted_until: num(r.muted_until),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});
const alertOf = (r: AlertRow): AlertRow => ({
  ...r,
  started_at: Number(r.started_at),
  fired_at: num(r.fired_at),
  resolved_at: num(r.resolved_at),
  last_notified_at: num(r.last_notified_at),
  muted_until: num(r.muted_until),
  notices: Number(r.notices),
});

export interface FinishedRun {
  run_id: string;
  job_id: string;
  project: string;
  spider: string;
  args: string;
  node_id: string | null;
  outcome: string | null;
  reason: string | null;
  ended_at: number;
}

export function createAlertsRepo(db: Db) {
  return {
    rules: {
      async all(): Promise<AlertRuleRow[]> {
        return (await db.selectFrom('alert_rules').selectAll().orderBy('created_at').orderBy('id').execute()).map(
          ruleOf,
        );
      },
      async get(id: string): Promise<AlertRuleRow | undefined> {
        const r = await db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
        return r && ruleOf(r);
      },
      async count(): Promise<number> {
        const r = await db
          .selectFrom('alert_rules')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        return Number(r.n);
      },
      async insert(row: AlertRuleRow): Promise<void> {
        await db.insertInto('alert_rules').values(row).execute();
      },
      async update(id: string, set: Partial<Omit<AlertRuleRow, 'id'>>): Promise<boolean> {
        const r = await db.updateTable('alert_rules').set(set).where('id', '=', id).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      /** Deletes the rule and its alerts. */
      delete: (id: string): Promise<boolean> =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('alerts').where('rule_id', '=', id).execute();
          const r = await trx.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
          return Number(r.numDeletedRows) > 0;
        }),
    },

    /** The rule's alert about `subject` that is pending or firing. */
    async active(ruleId: string, subject: string): Promise<AlertRow | undefined> {
      const r = await db
        .selectFrom('alerts')
        .selectAll()
        .where('state', 'in', ['pending', 'firing'])
        .where('rule_id', '=', ruleId)
        .where('subject', '=', subject)
        .orderBy('started_at', 'desc')
        .executeTakeFirst();
      return r && alertOf(r);
    },
    /** How many alerts of the rule are pending or firing (the cap on open alerts per rule). */
    async countActive(ruleId: string): Promise<number> {
      const r = await db
        .selectFrom('alerts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('state', 'in', ['pending', 'firing'])
        .where('rule_id', '=', ruleId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /**
     * The channels among `channelIds` that still hold a firing notice of the alert in the outbox (neither delivered
     * nor dead). Its keys are `<alert>:firing:<n>`: a range on the (target, key) index.
     */
    async firingNoticePending(channelIds: readonly string[], alertId: string): Promise<Set<string>> {
      if (channelIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('deliveries')
        .select('target_id')
        .where('target_id', 'in', [...channelIds])
        .where('dedup_key', '>=', `${alertId}:firing:`)
        .where('dedup_key', '<', `${alertId}:firing;`)
        .where('state', '=', 'pending')
        .execute();
      return new Set(rows.map((r) => r.target_id));
    },
    /** Every pending or firing alert. */
    async allActive(): Promise<AlertRow[]> {
      const rows = await db.selectFrom('alerts').selectAll().where('state', 'in', ['pending', 'firing']).execute();
      return rows.map(alertOf);
    },
    async get(id: string): Promise<AlertRow | undefined> {
      const r = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return r && alertOf(r);
    },
    async insert(row: AlertRow): Promise<void> {
      await db.insertInto('alerts').values(row).execute();
    },
    async update(id: string, set: Partial<Omit<AlertRow, 'id'>>): Promise<void> {
      await db.updateTable('alerts').set(set).where('id', '=', id).execute();
    },
    /** `ruleIds`: only alerts of these rules (project scoping: the rules of visible projects). */
    async page(f: {
      states?: AlertRow['state'][];
      ruleId?: string;
      ruleIds?: readonly string[] | undefined;
      limit: number;
    }): Promise<AlertRow[]> {
      if (f.ruleIds?.length === 0) return [];
      let q = db.selectFrom('alerts').selectAll();
      if (f.states) q = q.where('state', 'in', f.states);
      if (f.ruleId) q = q.where('rule_id', '=', f.ruleId);
      if (f.ruleIds) q = q.where('rule_id', 'in', f.ruleIds);
      const rows = await q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
      return rows.map(alertOf);
    },
    /** Keeps the newest resolved alerts of a rule. */
    async trimResolved(ruleId: string): Promise<void> {
      const edge = await db
        .selectFrom('alerts')
        .select('started_at')
        .where('rule_id', '=', ruleId)
        .where('state', '=', 'resolved')
        .orderBy('started_at', 'desc')
        .offset(RESOLVED_TO_KEEP)
        .limit(1)
        .executeTakeFirst();
      if (!edge) return;
      await db
        .deleteFrom('alerts')
        .where('rule_id', '=', ruleId)
        .where('state', '=', 'resolved')
        .where('started_at', '<=', Number(edge.started_at))
        .execute();
    },

    /**
     * Item counts of the last `k` succeeded runs of a spider with the same arguments, before `before` (epoch ms),
     * excluding `runId`: the baseline of an items rule. Runs without stored stats are left out.
     */
    async baselineItems(
      s: { project: string; spider: string; args: string; runId: string; before: number },
      k: number,
    ): Promise<number[]> {
      const rows = await db
        .selectFrom('jobs as j')
        .innerJoin('job_stats as s', 's.run_id', 'j.run_id')
        .select('s.summary')
        .where('j.project', '=', s.project)
        .where('j.spider', '=', s.spider)
        .where('j.ended_at', '<=', s.before)
        .where('j.state', '=', 'finished')
        .where('j.outcome', '=', 'succeeded')
        .where('j.args', '=', s.args)
        .where('j.run_id', '!=', s.runId)
        .orderBy('j.ended_at', 'desc')
        .limit(k)
        .execute();
      return rows.map((r) => Number((JSON.parse(r.summary) as { items?: unknown }).items ?? 0));
    },

    /** The arguments (stored JSON) of a spider's newest finished run: whose baseline a spider's page shows. */
    async newestFinishedArgs(project: string, spider: string): Promise<string | undefined> {
      const r = await db
        .selectFrom('jobs')
        .select('args')
        .where('project', '=', project)
        .where('spider', '=', spider)
        .where('state', '=', 'finished')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r?.args;
    },

    /** Jobs finished at or after `at`, oldest first (the engine's catch-up after a restart). */
    async finishedRun(runId: string): Promise<FinishedRun | undefined> {
      const r = await db
        .selectFrom('jobs')
        .select(['run_id', 'job_id', 'project', 'spider', 'args', 'node_id', 'outcome', 'reason', 'ended_at'])
        .where('run_id', '=', runId)
        .executeTakeFirst();
      return r && r.ended_at !== null ? { ...r, ended_at: Number(r.ended_at) } : undefined;
    },
  };
}
export type AlertsRepo = ReturnType<typeof createAlertsRepo>;
