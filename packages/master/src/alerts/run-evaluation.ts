/** Judging one finished run against the enabled job rules (the alert engine runs it on its one queue). */
import type { AlertsRepo, FinishedRun } from '../db/repos/alerts.js';
import { jobLinks } from '../deliveries/links.js';
import {
  inScope,
  isJobCondition,
  jobSubject,
  judgeErrors,
  judgeItems,
  judgeOutcome,
  type FinishedRunFacts,
  type JobCondition,
  type Verdict,
} from './conditions.js';
import type { RunStats } from './final-stats.js';
import type { AlertLifecycle, Rule } from './lifecycle.js';

export interface RunEvaluation {
  repo: AlertsRepo;
  life: AlertLifecycle;
  baseUrl: () => string;
  rules: Rule[];
}

export async function evaluateRun(o: RunEvaluation, runId: string, stats: RunStats): Promise<void> {
  const run = await o.repo.finishedRun(runId);
  if (!run || run.outcome === null) return;
  const facts: FinishedRunFacts = {
    jobId: run.job_id,
    project: run.project,
    spider: run.spider,
    args: run.args,
    nodeId: run.node_id,
    outcome: run.outcome,
    reason: run.reason,
    summary: stats?.summary ?? null,
    stats: stats?.stats ?? null,
  };
  const subject = jobSubject(run.project, run.spider);
  const link = jobLinks(o.baseUrl(), run.project, run.spider, run.job_id).job;
  for (const rule of o.rules) {
    const c = rule.condition;
    if (!isJobCondition(c) || !inScope(c, run.project, run.spider)) continue;
    const verdict = await judgeRun(o.repo, c, facts, run);
    if (verdict) await o.life.observe(rule, subject, verdict, link);
  }
}

async function judgeRun(
  repo: AlertsRepo,
  c: JobCondition,
  facts: FinishedRunFacts,
  run: FinishedRun,
): Promise<Verdict | null> {
  if (c.kind === 'job_outcome') return judgeOutcome(c, facts);
  if (run.outcome === 'cancelled') return null; // a cancelled run's counts say nothing about the spider
  if (c.kind === 'job_errors') return judgeErrors(c, facts);
  const baseline =
    c.minPercentOfMedian === undefined
      ? []
      : await repo.baselineItems(
          { project: run.project, spider: run.spider, args: run.args, runId: run.run_id, before: run.ended_at },
          c.baselineRuns,
        );
  return judgeItems(c, facts, baseline);
}
