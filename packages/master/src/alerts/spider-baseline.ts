/**
 * The baseline an items rule judges a spider's next run by (engine.ts #judgeRun): the item counts of its last
 * succeeded runs with the same arguments, here those of its newest finished run, and their median. The spider's
 * page draws it beside the runs.
 */
import type { SpiderBaseline } from '@scrapyard/protocol';
import type { AlertsRepo } from '../db/repos/alerts.js';
import { median } from './conditions.js';

export async function spiderBaseline(
  repo: Pick<AlertsRepo, 'baselineItems' | 'newestFinishedArgs'>,
  s: { project: string; spider: string; runs: number; now: number },
): Promise<SpiderBaseline> {
  const base = { project: s.project, spider: s.spider, runs: s.runs };
  const args = await repo.newestFinishedArgs(s.project, s.spider);
  if (args === undefined) return { ...base, args: null, items: [], median: null };
  const items = await repo.baselineItems(
    { project: s.project, spider: s.spider, args, runId: '', before: s.now },
    s.runs,
  );
  return { ...base, args: Object.fromEntries(JSON.parse(args) as [string, string][]), items, median: median(items) };
}
