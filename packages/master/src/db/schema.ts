/** Tables of the master's database, as kysely sees them. Timestamps are epoch milliseconds. */
import type { Generated } from 'kysely';

export interface ProjectsTable {
  name: string;
  created_at: number;
}

/** One uploaded egg of a project. `name` is Scrapyd's sanitized version (`1.0` → `1_0`). */
export interface VersionsTable {
  project: string;
  name: string;
  digest: string;
  size: number;
  /** JSON array of requirement strings from EGG-INFO/requires.txt. */
  requirements: string;
  /** JSON array of spider names (`scrapy list`), or null until computed. */
  spiders: string | null;
  uploaded_at: number;
}

/** Job lifecycle: pending → running → finished. A pending job cancelled is deleted (Scrapyd semantics). */
export type JobStateColumn = 'pending' | 'running' | 'finished';

export interface JobsTable {
  /** Arrival order: ties in priority run FIFO by it. */
  seq: Generated<number>;
  /** Unique per run; the agent protocol keys on it because Scrapyd job ids may repeat. */
  run_id: string;
  job_id: string;
  project: string;
  spider: string;
  /** `_version` as the client sent it (listjobs shows it raw), or null. */
  version_requested: string | null;
  /** The sanitized version actually launched. */
  version: string | null;
  /** JSON array of [key, value] pairs from `setting=`. */
  settings: string;
  /** JSON array of [key, value] spider arguments (excluding `_job`). */
  args: string;
  priority: number;
  state: JobStateColumn;
  node_id: string | null;
  pid: number | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  exit_code: number | null;
  signal: string | null;
  outcome: string | null;
  reason: string | null;
  /** Times a cancel was requested while running (the second one kills). */
  cancel_count: number;
  /** Signal of the last cancel, for re-sending to an agent that was offline. */
  cancel_signal: string | null;
}

export interface Database {
  projects: ProjectsTable;
  versions: VersionsTable;
  jobs: JobsTable;
}
