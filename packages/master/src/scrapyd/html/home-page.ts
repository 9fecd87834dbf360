/** GET `/` (docs/scrapyd-api.md §4.1): a small Scrapyd-compatible home page; health checks only need the 200. */
import { escapeHtml } from './escape.js';
import { compareCodePoints } from './format.js';

export interface HomePageOptions {
  /** X-Forwarded-Prefix value (no trailing slash), or "" */
  prefix: string;
  projects: string[];
  /** whether `/items/` is served (items_dir is local) */
  itemsEnabled: boolean;
  nodeName: string;
}

function projectList(projects: string[]): string {
  const unique = [...new Set(projects)].sort(compareCodePoints);
  if (unique.length === 0) return '<p>No Scrapy projects yet.</p>';
  return `<p>Scrapy projects:</p>\n<ul>${unique.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`;
}

export function renderHomePage(opts: HomePageOptions): string {
  const base = escapeHtml(opts.prefix);
  const links = [
    `<li><a href="${base}/ui/">Web UI</a></li>`,
    `<li><a href="${base}/jobs">Jobs</a></li>`,
    ...(opts.itemsEnabled ? [`<li><a href="${base}/items/">Items</a></li>`] : []),
    `<li><a href="${base}/logs/">Logs</a></li>`,
    '<li><a href="https://scrapyd.readthedocs.io/en/latest/api.html">Scrapyd API documentation</a></li>',
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scrapyard</title>
<style>body { font-family: system-ui, sans-serif; margin: 2rem; } code { background: #eee; padding: .1rem .3rem; }</style>
</head>
<body>
<h1>Scrapyard</h1>
<p>Scrapyd-compatible crawl server. Node: <code>${escapeHtml(opts.nodeName)}</code></p>
<ul>${links.join('')}</ul>
${projectList(opts.projects)}
<p>This web UI is for monitoring only. Upload projects and schedule crawls through the Scrapyd JSON API, for example:</p>
<p><code>curl http://localhost:6800/schedule.json -d project=default -d spider=somespider</code></p>
</body>
</html>
`;
}
