/**
 * The command line and environment of one crawl, as Scrapyd builds them (docs/scrapyd-api.md §2.5): user `-s` settings first,
 * then the daemon's own LOG_FILE / FEEDS / JOBDIR (which win), then every spider argument as `-a`, `_job`
 * included. Pure, so it is unit-tested without spawning anything.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobSpec } from '@scrapyard/protocol';
import { socketPathFits } from './stats-report.js';

export interface RunFiles {
  dir: string;
  log: string;
  items: string;
  output: string;
  exit: string;
  /** Final stats the crawl writes at close (its closing dump), and the socket it reports live stats on. */
  stats: string;
  statsSocket: string;
  /** The run's stats token (stats-channel.ts): agent-only, so a restarted agent still knows it. */
  statsToken: string;
}

export function runFiles(runsDir: string, runId: string): RunFiles {
  const dir = join(runsDir, runId);
  return {
    dir,
    log: join(dir, 'job.log'),
    items: join(dir, 'items.jl'),
    output: join(dir, 'output.txt'),
    exit: join(dir, 'exit-status'),
    stats: join(dir, 'stats.json'),
    statsSocket: join(dir, 'stats.sock'),
    statsToken: join(dir, 'stats-token'),
  };
}

/** Scrapy's JOBDIR of a job (Scrapyd's `jobs_dir` layout), where a paused crawl keeps its state. */
export function jobDirOf(jobsDir: string, spec: JobSpec): string {
  return join(jobsDir, spec.project, spec.spider, spec.jobId);
}

export function crawlArgs(spec: JobSpec, files: RunFiles, jobsDir: string): string[] {
  const settings: string[] = spec.settings.flatMap(([k, v]) => ['-s', `${k}=${v}`]);
  if (spec.log) settings.push('-s', `LOG_FILE=${files.log}`);
  const feed = spec.items ? pathToFileURL(files.items).href : spec.feedUri;
  if (feed) settings.push('-s', `FEEDS=${JSON.stringify({ [feed]: { format: 'jsonlines' } })}`);
  if (jobsDir !== '') settings.push('-s', `JOBDIR=${jobDirOf(jobsDir, spec)}`);
  const args = spec.args.flatMap(([k, v]) => ['-a', `${k}=${v}`]);
  return ['crawl', spec.spider, ...settings, ...args];
}

/** The per-run variables of a crawl (added to the allowlisted base by safe-env.ts crawlProcessEnv). */
export function crawlVars(spec: JobSpec, eggPath: string | null, files: RunFiles): Record<string, string> {
  return {
    SCRAPY_PROJECT: spec.project,
    SCRAPYARD_EXIT_FILE: files.exit,
    // Live stats (python/scrapyard_stats.py); a socket path too long to bind means final stats only.
    SCRAPYARD_STATS_FILE: files.stats,
    SCRAPYARD_STATS_SOCKET: socketPathFits(files.statsSocket) ? files.statsSocket : '',
    // Old spiders read the job id from the environment (Scrapyd ≤1.4); cheap to keep.
    SCRAPYD_JOB: spec.jobId,
    ...(spec.pinnedVersion !== null ? { SCRAPYD_EGG_VERSION: spec.pinnedVersion } : {}),
    ...projectVars(eggPath, spec.settingsModule),
  };
}

/** Egg or [settings] module: how the runner finds the project's code and settings. */
export function projectVars(eggPath: string | null, settingsModule: string | null): Record<string, string> {
  return {
    ...(eggPath !== null ? { SCRAPYARD_EGG_PATH: eggPath } : {}),
    ...(settingsModule !== null ? { SCRAPY_SETTINGS_MODULE: settingsModule } : {}),
  };
}
