/**
 * Where a job's log and items live on the master: `<logs_dir>/<project>/<spider>/<job>.log` and
 * `<items_dir>/<project>/<spider>/<job>.jl` (Scrapyd's layout, which ScrapydWeb and Gerapy read).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Stream } from '@scrapyard/protocol';

export interface JobFilesConfig {
  logsDir: string;
  itemsDir: string;
}

/** Local items tree only when items_dir is a plain path (a URL means Scrapy writes to it directly). */
export function itemsAreLocal(itemsDir: string): boolean {
  return itemsDir !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(itemsDir.replace(/^file:\/\//i, ''));
}

export function jobFilePath(cfg: JobFilesConfig, stream: Stream, project: string, spider: string, jobId: string) {
  if (stream === 'log') return cfg.logsDir === '' ? null : join(cfg.logsDir, project, spider, `${jobId}.log`);
  return itemsAreLocal(cfg.itemsDir)
    ? join(cfg.itemsDir.replace(/^file:\/\//i, ''), project, spider, `${jobId}.jl`)
    : null;
}

/** listjobs `log_url`/`items_url`: set only when the file exists now (Scrapyd 1.5+). */
export function jobUrls(cfg: JobFilesConfig, project: string, spider: string, jobId: string) {
  const log = jobFilePath(cfg, 'log', project, spider, jobId);
  const items = jobFilePath(cfg, 'items', project, spider, jobId);
  return {
    log_url: log && existsSync(log) ? `/logs/${project}/${spider}/${jobId}.log` : null,
    items_url: items && existsSync(items) ? `/items/${project}/${spider}/${jobId}.jl` : null,
  };
}

/** Feed URI for a job when items_dir is a URL: the URL's path gets `/P/S/J.jl`, query and fragment kept. */
export function remoteFeedUri(itemsDir: string, project: string, spider: string, jobId: string): string | null {
  if (itemsDir === '' || itemsAreLocal(itemsDir)) return null;
  const url = new URL(itemsDir);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${project}/${spider}/${jobId}.jl`;
  return url.toString();
}

/** Calls `fn` with the path of each of the job's files the master keeps (logs and items, when enabled). */
export function forEachJobFile(
  files: JobFilesConfig,
  row: { project: string; spider: string; job_id: string },
  fn: (path: string) => void,
): void {
  for (const stream of ['log', 'items'] as const) {
    const path = jobFilePath(files, stream, row.project, row.spider, row.job_id);
    if (path) fn(path);
  }
}
