/**
 * Live Scrapy stats per run (table `job_stats`): one row holding the latest snapshot, its summary, the downsampled
 * series and the exceptions. Written by the live stats service (jobs/live-stats.ts) every few seconds per running
 * crawl; read by the REST API and listjobs.json. Rows of trimmed jobs go with them (jobs.ts trimFinishedIn).
 */
import type { CrawlExceptions, CrawlStats, JobStatsPoint, JobStatsSummary } from '@scrapyard/protocol';
import type { Db } from '../database.js';

/** Run ids per `IN (…)` list, well under SQLite's and PostgreSQL's bound-parameter limits. */
const IN_BATCH = 500;

export interface StoredJobStats {
  runId: string;
  jobSeq: number;
  nodeId: string | null;
  at: number;
  final: boolean;
  source: 'live' | 'dump';
  summary: JobStatsSummary;
  stats: CrawlStats;
  series: JobStatsPoint[];
  exceptions: CrawlExceptions;
}

export function createJobStatsRepo(db: Db) {
  return {
    async get(runId: string): Promise<StoredJobStats | undefined> {
      const r = await db.selectFrom('job_stats').selectAll().where('run_id', '=', runId).executeTakeFirst();
      if (!r) return undefined;
      return {
        runId: r.run_id,
        jobSeq: Number(r.job_seq),
        nodeId: r.node_id,
        at: Number(r.at),
        final: r.final === 1,
        source: r.source === 'dump' ? 'dump' : 'live',
        summary: JSON.parse(r.summary) as JobStatsSummary,
        stats: JSON.parse(r.stats) as CrawlStats,
        series: JSON.parse(r.series) as JobStatsPoint[],
        exceptions: JSON.parse(r.exceptions) as CrawlExceptions,
      };
    },

    /**
     * Stores a run's snapshot. A final row is never replaced by a live one (a late live report after the end), so
     * returns false when nothing changed.
     */
    async put(s: StoredJobStats): Promise<boolean> {
      const row = {
        run_id: s.runId,
        job_seq: s.jobSeq,
        node_id: s.nodeId,
        at: s.at,
        final: s.final ? 1 : 0,
        source: s.source,
        finish_reason: s.summary.finishReason,
        summary: JSON.stringify(s.summary),
        stats: JSON.stringify(s.stats),
        series: JSON.stringify(s.series),
        exceptions: JSON.stringify(s.exceptions),
      };
      const res = await db
        .insertInto('job_stats')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('run_id')
            .doUpdateSet((eb) => ({
              job_seq: eb.ref('excluded.job_seq'),
              node_id: eb.ref('excluded.node_id'),
              at: eb.ref('excluded.at'),
              final: eb.ref('excluded.final'),
              source: eb.ref('excluded.source'),
              finish_reason: eb.ref('excluded.finish_reason'),
              summary: eb.ref('excluded.summary'),
              stats: eb.ref('excluded.stats'),
              series: eb.ref('excluded.series'),
              exceptions: eb.ref('excluded.exceptions'),
            }))
            .where((eb) => eb.or([eb('job_stats.final', '=', 0), eb('excluded.final', '=', 1)])),
        )
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Summaries of the given runs that have stats (one query per few hundred runs). */
    async summaries(runIds: readonly string[]): Promise<Map<string, JobStatsSummary>> {
      const out = new Map<string, JobStatsSummary>();
      const unique = [...new Set(runIds)];
      for (let i = 0; i < unique.length; i += IN_BATCH) {
        const rows = await db
          .selectFrom('job_stats')
          .select(['run_id', 'summary'])
          .where('run_id', 'in', unique.slice(i, i + IN_BATCH))
          .execute();
        for (const r of rows) out.set(r.run_id, JSON.parse(r.summary) as JobStatsSummary);
      }
      return out;
    },

    /** Every run id with stats (tests of trimming). */
    async runIds(): Promise<string[]> {
      const rows = await db.selectFrom('job_stats').select('run_id').orderBy('run_id').execute();
      return rows.map((r) => r.run_id);
    },
  };
}

export type JobStatsRepo = ReturnType<typeof createJobStatsRepo>;
