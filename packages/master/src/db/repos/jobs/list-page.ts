/**
 * The REST job list's pages (and the UI's jobs page): newest first by `seq`, behind a cursor (`seq < before`).
 * A page must cost the same with 100 jobs or 100,000 (bench/jobs-list.ts), so it is always a backwards range of
 * an index that ends in `seq` (migration 0011), stopped after `limit` rows. Equality on one value is such a range;
 * `state IN (a, b)` or `project IN (…)` (a scoped caller) is not: the database would collect every match and sort
 * it. So a page over several states or visible projects is one range per value (a "branch"), each limited, their
 * union sorted again: at most branches × limit rows are read, never the table. Past MAX_BRANCHES the IN list is
 * left to the planner (a principal scoped to dozens of projects).
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Db } from '../../database.js';
import { containsText } from '../../dialect.js';
import type { Database, JobStateColumn } from '../../schema.js';
import type { JobFilter, JobRow } from '../jobs.js';
import { seesNothing, type ProjectFilter } from '../project-filter.js';

/** Most index ranges one page unions. */
export const MAX_BRANCHES = 24;

export interface PageQuery extends JobFilter {
  /** The cursor: the `seq` of the previous page's last job. */
  before?: number;
  limit: number;
  visible?: ProjectFilter;
}

type JobSelect = SelectQueryBuilder<Database, 'jobs', JobRow>;

/** One range of a page: a project (or a list of them, or any) × a state (or any). */
export type Branch = { project: string | string[] | undefined; state: JobStateColumn | undefined };

/** The ranges a page unions (none: the page is empty). */
export function pageBranches(q: Pick<PageQuery, 'project' | 'states' | 'visible'>): Branch[] {
  const visible = q.visible ?? '*';
  let projects: (string | string[] | undefined)[];
  if (q.project !== undefined) projects = visible === '*' || visible.has(q.project) ? [q.project] : [];
  else projects = visible === '*' ? [undefined] : [...visible].sort();
  const states = q.states === undefined ? [undefined] : [...new Set(q.states)].sort();
  // Too many ranges (states are 3 at most): the projects go back to one IN list.
  if (projects.length * states.length > MAX_BRANCHES) projects = [projects as string[]];
  return projects.flatMap((project) => states.map((state) => ({ project, state })));
}

/** The filters other than project and state, and the cursor. */
function withRest(db: Db, q: JobSelect, f: PageQuery): JobSelect {
  if (f.spider !== undefined) q = q.where('spider', '=', f.spider);
  if (f.nodeId !== undefined) q = q.where('node_id', '=', f.nodeId);
  if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
  // Tags are a sorted JSON array of names that hold no quote: `"gpu"` within it is the tag itself.
  if (f.tag !== undefined) q = q.where(containsText(db, 'tags', JSON.stringify(f.tag)));
  if (f.timeField !== undefined) {
    const col = f.timeField;
    if (f.since !== undefined) q = q.where(col, '>=', f.since);
    if (f.until !== undefined) q = q.where(col, '<', f.until);
  }
  // Always a bound, the first page's too: a range of the primary key, never SQLite's "SCAN jobs" in rowid order.
  return q.where('seq', '<', f.before ?? Number.MAX_SAFE_INTEGER);
}

/** The page's query (its plan is what bench/jobs-list.ts and the plan test check); null: nothing to find. */
export function pageQuery(db: Db, f: PageQuery) {
  if (seesNothing(f.visible ?? '*')) return null;
  const branches = pageBranches(f).map(({ project, state }) => {
    let q = db.selectFrom('jobs').selectAll();
    if (Array.isArray(project)) q = q.where('project', 'in', project);
    else if (project !== undefined) q = q.where('project', '=', project);
    if (state !== undefined) q = q.where('state', '=', state);
    return withRest(db, q, f).orderBy('seq', 'desc').limit(f.limit);
  });
  if (branches.length <= 1) return branches[0] ?? null;
  // Each branch stays a limited subquery (SQLite refuses ORDER BY inside a bare compound member).
  const [first, ...rest] = branches.map((b, i) => db.selectFrom(b.as(`b${i}`)).selectAll());
  let union = first!;
  for (const b of rest) union = union.unionAll(b);
  return union.orderBy('seq', 'desc').limit(f.limit);
}

export async function listPage(db: Db, f: PageQuery): Promise<JobRow[]> {
  const q = pageQuery(db, f);
  return q === null ? [] : ((await q.execute()) as JobRow[]);
}
