/**
 * GET `/jobs` (docs/scrapyd-api.md §4.2). ScrapydWeb scrapes this page with regexes, so the markup is a contract:
 * `<body><h1>Jobs</h1>` adjacent, one `<table id="jobs">` whose header row sits in `<thead>` (ScrapydWeb
 * strips it), three `<tbody>` sections opened by a `<th colspan>` row (not matched as a job), and data rows
 * written compactly (`<tr><td>…</td>…</tr>`, no whitespace between tags) with every column present.
 * Start is empty for pending rows and Finish empty for running rows: that is how ScrapydWeb tells states apart.
 */
import { escapeHtml, escapeHtmlLine } from './escape.js';
import { formatDuration, formatLocalSeconds, quoteUrl } from './format.js';

export interface PendingRow {
  project: string;
  spider: string;
  id: string;
}

export interface RunningRow extends PendingRow {
  /** agent-local pid; null until the process exists */
  pid: number | null;
  startMs: number;
  /** `/logs/P/S/J.log` (raw, unprefixed, as in listjobs) when the file exists, else null */
  logUrl: string | null;
  /** `/items/P/S/J.jl` when the file exists, else null */
  itemsUrl: string | null;
}

export interface FinishedRow extends PendingRow {
  startMs: number;
  endMs: number;
  logUrl: string | null;
  itemsUrl: string | null;
}

export interface JobsPageOptions {
  /** X-Forwarded-Prefix value (no trailing slash), or "" */
  prefix: string;
  /** adds the Items column (items_dir is local) */
  itemsEnabled: boolean;
  /** adds the Cancel column (cancel.json is enabled) */
  cancelEnabled: boolean;
  pending: PendingRow[];
  running: RunningRow[];
  /** newest first */
  finished: FinishedRow[];
  /** epoch ms used for running jobs' Runtime */
  now: number;
}

type Column = 'Project' | 'Spider' | 'Job' | 'PID' | 'Start' | 'Runtime' | 'Finish' | 'Log' | 'Items' | 'Cancel';
/** Cell contents, already HTML (escaped); absent = empty cell. */
type Cells = Partial<Record<Column, string>>;

function columnsFor(opts: JobsPageOptions): Column[] {
  const cols: Column[] = ['Project', 'Spider', 'Job', 'PID', 'Start', 'Runtime', 'Finish', 'Log'];
  if (opts.itemsEnabled) cols.push('Items');
  if (opts.cancelEnabled) cols.push('Cancel');
  return cols;
}

/** Percent-encode each path segment of a raw `/logs/P/S/J.log` URL so odd ids (`#`, `?`, `%`, spaces) still link. */
function href(prefix: string, url: string): string {
  return escapeHtml(prefix + quoteUrl(url));
}

function link(prefix: string, url: string | null, text: string): string | undefined {
  return url == null ? undefined : `<a href="${href(prefix, url)}">${text}</a>`;
}

/**
 * The Cancel form. Its content MUST contain a newline: when the Items column is omitted, ScrapydWeb's
 * optional Items group (`<td>(.*?)</td>`, where `.` does not match a newline) would otherwise capture it.
 */
function cancelForm(prefix: string, row: PendingRow): string {
  return (
    `<form method="post" action="${escapeHtml(prefix)}/cancel.json" onsubmit="return confirm('Cancel this job?');">\n` +
    `<input type="hidden" name="project" value="${escapeHtml(row.project)}">` +
    `<input type="hidden" name="job" value="${escapeHtml(row.id)}">` +
    `<input type="submit" value="Cancel">` +
    `</form>`
  );
}

function renderRow(cols: Column[], cells: Cells): string {
  return `<tr>${cols.map((c) => `<td>${cells[c] ?? ''}</td>`).join('')}</tr>`;
}

function identity(row: PendingRow): Cells {
  return { Project: escapeHtmlLine(row.project), Spider: escapeHtmlLine(row.spider), Job: escapeHtmlLine(row.id) };
}

function section(title: string, cols: Column[], rows: string[]): string {
  return `<tbody>\n<tr><th colspan="${cols.length}">${title}</th></tr>\n${rows.map((r) => `${r}\n`).join('')}</tbody>`;
}

export function renderJobsPage(opts: JobsPageOptions): string {
  const { prefix } = opts;
  const cols = columnsFor(opts);

  const pending = opts.pending.map((row) => renderRow(cols, { ...identity(row), Cancel: cancelForm(prefix, row) }));
  const running = opts.running.map((row) =>
    renderRow(cols, {
      ...identity(row),
      PID: row.pid == null ? '' : String(row.pid),
      Start: formatLocalSeconds(row.startMs),
      Runtime: formatDuration(opts.now - row.startMs),
      Log: link(prefix, row.logUrl, 'Log'),
      Items: link(prefix, row.itemsUrl, 'Items'),
      Cancel: cancelForm(prefix, row),
    }),
  );
  const finished = opts.finished.map((row) =>
    renderRow(cols, {
      ...identity(row),
      Start: formatLocalSeconds(row.startMs),
      Runtime: formatDuration(row.endMs - row.startMs),
      Finish: formatLocalSeconds(row.endMs),
      Log: link(prefix, row.logUrl, 'Log'),
      Items: link(prefix, row.itemsUrl, 'Items'),
    }),
  );

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jobs - Scrapyard</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #999; padding: .4rem .6rem; }
tbody > tr:first-child { background-color: #eee; }
td:nth-child(2), td:nth-child(3) { word-break: break-all; }
form { margin: 0; }
</style>
</head>
<body><h1>Jobs</h1>
<p><a href="${escapeHtml(prefix)}/">Go up</a></p>
<table id="jobs">
<thead><tr>${cols.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
${section('Pending', cols, pending)}
${section('Running', cols, running)}
${section('Finished', cols, finished)}
</table>
</body>
</html>
`;
}
