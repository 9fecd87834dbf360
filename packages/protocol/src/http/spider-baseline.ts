/**
 * GET /api/v1/projects/:project/spiders/:spider/baseline?runs=5: the baseline an items alert rule compares a run
 * against (the item counts of the spider's last succeeded runs with the same arguments), for the spider's page.
 */
import { z } from 'zod';
import { ProjectName, SpiderName } from '../primitives.js';

export const SpiderBaselineQuery = z.object({ runs: z.coerce.number().int().min(1).max(100).default(5) }).strict();
export type SpiderBaselineQuery = z.output<typeof SpiderBaselineQuery>;

export const SpiderBaseline = z.object({
  project: ProjectName,
  spider: SpiderName,
  /** The arguments of the spider's newest finished run: the baseline is of runs with these (null: no run yet). */
  args: z.record(z.string(), z.string()).nullable(),
  /** How many runs were asked for (a rule's `baselineRuns`). */
  runs: z.number().int().positive(),
  /** Item counts of those runs, newest first (fewer when fewer succeeded). */
  items: z.array(z.number().nonnegative()),
  /** Their median (what `minPercentOfMedian` is a share of), null without any. */
  median: z.number().nullable(),
});
export type SpiderBaseline = z.infer<typeof SpiderBaseline>;
