/** Tables of the master's database, as kysely sees them. Timestamps are epoch milliseconds. */
import type { Generated } from 'kysely';
import type { AlertRulesTable, AlertsTable } from './schema-alerts.js';
import type { AuthTables } from './schema-auth.js';
import type { ChannelsTable, DeliveriesTable, DeliveryMarksTable, WebhooksTable } from './schema-deliveries.js';

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
  /** Cancels the agent confirmed it applied (≤ cancel_count); the rest are re-sent when it reconnects. */
  cancel_delivered: Generated<number>;
  /** JSON array of tags an agent must all have to run the job (sorted, unique). */
  tags: Generated<string>;
  /** 1 for the first run; +1 each time a lost run is requeued. */
  attempt: Generated<number>;
  /** Why the master stopped this run itself (a limit it exceeded); its finish is then a failure for this reason. */
  stop_reason: Generated<string | null>;
  /** The schedule whose fire created the job, or null. */
  schedule_id: Generated<string | null>;
  /** The job's own run limits (JSON `JobPolicyOverride`), or null. */
  policy: Generated<string | null>;
  /** The outcome of a run the master stopped for a limit (`timed_out`, `stalled`); null: `failed`. */
  stop_outcome: Generated<string | null>;
  /** A retry is not placed before this time (its backoff). */
  not_before: Generated<number | null>;
  /** project, spider and the policy's chosen arguments, when the job has a unique key (`uniqueArgs`). */
  unique_key: Generated<string | null>;
}

/** An earlier run of a job, kept when the run was lost and its job requeued (the jobs row holds the latest run). */
export interface JobAttemptsTable {
  run_id: string;
  /** The job's `seq` (its row in `jobs`). */
  job_seq: number;
  attempt: number;
  node_id: string | null;
  pid: number | null;
  started_at: number | null;
  ended_at: number;
  outcome: string;
  reason: string | null;
}

/** A registered (permanent) node. Only a hash of its secret is kept (see protocol handshake.ts). */
export interface NodesTable {
  node_id: string;
  stored_key: string;
  /** During a rotation: the new secret's stored key, until the agent confirms it has the secret. */
  pending_stored_key: string | null;
  created_at: number;
  revoked_at: number | null;
  cordoned: Generated<number>;
  last_seen: number | null;
  hostname: string | null;
  address: string | null;
  agent_version: string | null;
  /** JSON array, as the agent last advertised. */
  tags: Generated<string>;
  slots: Generated<number>;
  dedicated: Generated<number>;
}

/** Single-use, short-lived enrollment keys; only the secret's SHA-256 is kept. */
export interface EnrollmentsTable {
  key_id: string;
  secret_hash: string;
  node_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

/** Placement defaults; `spider` is '' for the project-wide row. */
export interface PoliciesTable {
  project: string;
  spider: string;
  /** JSON array or null (inherit). */
  tags: string | null;
  max_running: number | null;
  retries: number | null;
  max_run_seconds: Generated<number | null>;
  stall_seconds: Generated<number | null>;
  kill_grace_seconds: Generated<number | null>;
  /** JSON array of outcomes that are retried, or null (inherit). */
  retry_on: Generated<string | null>;
  /** JSON array of argument names forming the unique key, or null (inherit). */
  unique_args: Generated<string | null>;
  /** Start rate limit: at most `count` starts per `period_seconds` (both or neither). */
  start_rate_count: Generated<number | null>;
  start_rate_period_seconds: Generated<number | null>;
  retry_backoff_seconds: Generated<number | null>;
  retry_backoff_max_seconds: Generated<number | null>;
  updated_at: number;
}

export interface HostMetricsTable {
  node_id: string;
  at: number;
  cpu_percent: number;
  cpus: number;
  load1: number;
  load5: number;
  load15: number;
  mem_used: number;
  mem_total: number;
  disk_used: number;
  disk_total: number;
  net_rx: number;
  net_tx: number;
}

export interface JobMetricsTable {
  run_id: string;
  at: number;
  cpu_percent: number;
  rss_bytes: number;
}

/** A schedule (REST fields in snake case; JSON columns as text). */
export interface SchedulesTable {
  id: string;
  name: string | null;
  project: string;
  spider: string;
  cron: string | null;
  interval_seconds: number | null;
  timezone: string;
  version: string | null;
  /** JSON object. */
  args: string;
  /** JSON object. */
  settings: string;
  /** JSON array, or null (the policy's tags). */
  tags: string | null;
  priority: number;
  jitter_seconds: number;
  start_at: number | null;
  end_at: number | null;
  enabled: number;
  overlap: string;
  misfire: string;
  misfire_grace_seconds: number;
  backfill_window_seconds: number;
  backfill_max: number;
  /** JSON object (job policy of its jobs), or null. */
  policy: string | null;
  created_at: number;
  updated_at: number;
  /** Scheduled times up to here have been handled (fired, skipped or recorded as missed). */
  cursor_at: number;
}

/** The fire ledger: one row per (schedule, scheduled time), inserted once. */
export interface ScheduleFiresTable {
  schedule_id: string;
  scheduled_at: number;
  fired_at: number;
  trigger: string;
  status: string;
  reason_code: string | null;
  reason: string | null;
  job_id: string | null;
}

/** A run's live Scrapy stats: latest snapshot, downsampled series and exceptions (JSON text), one row per run. */
export interface JobStatsTable {
  run_id: string;
  /** The job's `seq`: its stats go when the job is trimmed. */
  job_seq: number;
  node_id: string | null;
  /** When the snapshot was taken. */
  at: number;
  /** 1 once the crawl's last snapshot is stored: nothing replaces it. */
  final: number;
  /** `live` (the crawl's socket) or `dump` (the stats file it wrote at close). */
  source: string;
  /** Scrapy's `finish_reason`, once the crawl closed. */
  finish_reason: string | null;
  /** JSON JobStatsSummary. */
  summary: string;
  /** JSON object: the snapshot. */
  stats: string;
  /** JSON array of JobStatsPoint, oldest first. */
  series: string;
  /** JSON CrawlExceptions. */
  exceptions: string;
}

/** A durable consumer's mark: every event before `position` was handled (events/durable-consumer.ts). */
export interface ConsumerMarksTable {
  name: string;
  position: number;
}

export interface Database extends AuthTables {
  projects: ProjectsTable;
  versions: VersionsTable;
  jobs: JobsTable;
  job_attempts: JobAttemptsTable;
  nodes: NodesTable;
  enrollments: EnrollmentsTable;
  policies: PoliciesTable;
  host_metrics: HostMetricsTable;
  job_metrics: JobMetricsTable;
  job_stats: JobStatsTable;
  schedules: SchedulesTable;
  schedule_fires: ScheduleFiresTable;
  webhooks: WebhooksTable;
  channels: ChannelsTable;
  deliveries: DeliveriesTable;
  delivery_marks: DeliveryMarksTable;
  consumer_marks: ConsumerMarksTable;
  alert_rules: AlertRulesTable;
  alerts: AlertsTable;
}
