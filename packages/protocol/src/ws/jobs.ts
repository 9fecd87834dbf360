import { z } from 'zod';
import {
  EpochMs,
  FreeText,
  JobId,
  ProjectName,
  RunId,
  Sha256,
  SpiderName,
  VersionName,
  WireSignal,
  SettingsModule,
} from '../primitives.js';

/** PEP 508 requirement lines as declared by the egg. */
export const Requirements = z.array(z.string().min(1).max(1_000)).max(1_000);
export type Requirements = z.infer<typeof Requirements>;

/** Ordered `-s KEY=VALUE` pairs: order matters, later pairs win in Scrapy. */
export const SettingPairs = z.array(z.tuple([z.string(), z.string()])).max(10_000);
export type SettingPairs = z.infer<typeof SettingPairs>;

/** Everything an agent needs to start one crawl. The version is already resolved to a concrete egg. */
export const JobSpec = z.object({
  runId: RunId,
  jobId: JobId,
  project: ProjectName,
  spider: SpiderName,
  /** Null for a project from the master's [settings] section, which has no egg (Scrapyd §2.1). */
  version: VersionName.nullable(),
  eggDigest: Sha256.nullable(),
  eggSize: z.number().int().nonnegative(),
  /** SCRAPY_SETTINGS_MODULE for [settings] projects; their code must be importable on the agent. */
  settingsModule: SettingsModule.nullable(),
  /** The egg's declared requirements (EGG-INFO/requires.txt), installed into the project's venv. */
  requirements: Requirements,
  /** User `setting=` values, in request order. */
  settings: SettingPairs,
  /** Spider arguments (`-a`), including `_job` and, when given, `_version`. */
  args: z.array(z.tuple([z.string(), z.string()])).max(10_000),
  /** Write the Scrapy log to a file and ship it to the master (Scrapyd `logs_dir` set). */
  log: z.boolean(),
  /** Write a local jsonlines feed and ship it to the master (Scrapyd `items_dir` a local directory). */
  items: z.boolean(),
  /** Feed URI when `items_dir` is a URL: Scrapy writes there directly and nothing is shipped. */
  feedUri: z.string().nullable(),
  /** Set SCRAPYD_EGG_VERSION (only when the schedule request pinned `_version`). */
  pinnedVersion: z.string().nullable(),
});
export type JobSpec = z.infer<typeof JobSpec>;

/** How a crawl process ended. */
export const JobOutcome = z.enum(['succeeded', 'failed', 'cancelled', 'timed_out', 'stalled', 'lost', 'start_failed']);
export type JobOutcome = z.infer<typeof JobOutcome>;

export const JobStartedEvent = z.object({
  kind: z.literal('started'),
  runId: RunId,
  pid: z.number().int().positive(),
  startedAt: EpochMs,
});
export const JobFinishedEvent = z.object({
  kind: z.literal('finished'),
  runId: RunId,
  /** Null for a job that never started (start failed). */
  startedAt: EpochMs.nullable(),
  endedAt: EpochMs,
  exitCode: z.number().int().nullable(),
  signal: FreeText(32).nullable(),
  outcome: JobOutcome,
  /** Human-readable reason for failures (`exited with code 1`, `killed by SIGKILL`, venv errors). */
  reason: FreeText(8_000).nullable(),
  /** Final sizes of the shipped files, so the master knows when it has all of them. */
  logBytes: z.number().int().nonnegative(),
  itemsBytes: z.number().int().nonnegative(),
});
/** Job transitions, persisted by the agent before sending and replayed until acknowledged. */
export const JobEvent = z.discriminatedUnion('kind', [JobStartedEvent, JobFinishedEvent]);
export type JobEvent = z.infer<typeof JobEvent>;

export const Stream = z.enum(['log', 'items']);
export type Stream = z.infer<typeof Stream>;

/** The agent sends `signal` to the crawl's process group; a second cancel of the same run sends SIGKILL. */
export const CancelRequest = z.object({ runId: RunId, signal: WireSignal });
export type CancelRequest = z.infer<typeof CancelRequest>;
