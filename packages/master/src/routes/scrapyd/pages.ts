/**
 * Scrapyd's HTML pages (`/`, `/jobs`) and its static `/logs/` and `/items/` trees (docs/scrapyd-api.md §4). All
 * need `read`; in a tree, on the project its first path segment names.
 */
import { mkdirSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { projectsVisible } from '../../auth/access.js';
import { projectVisible } from '../../db/repos/project-filter.js';
import { scrapydNeeds, type ProjectSource } from '../../auth/access-rules.js';
import { renderHomePage } from '../../scrapyd/html/home-page.js';
import { renderJobsPage } from '../../scrapyd/html/jobs-page.js';
import { serveTree } from '../../scrapyd/static/serve-tree.js';
import { decodeSegment } from '../../scrapyd/static/tree-paths.js';
import { itemsAreLocal, jobUrls, type JobFilesConfig } from '../../jobs/job-files.js';
import type { ScrapydService } from './scrapyd-service.js';

export interface PagesOptions {
  service: ScrapydService;
  files: JobFilesConfig;
  prefixHeader: string;
  nodeName: string;
  disabledServices: string[];
}

const HTML = 'text/html; charset=utf-8';

/** `/logs/<project>/…`: the project segment, decoded as the tree decodes it; none for the tree's own index. */
const treeProject = (urlPrefix: string): ProjectSource => ({
  of: 'the first segment of the path',
  find: async (req) => {
    const segment = req.url.split('?')[0]!.slice(urlPrefix.length).split('/')[0];
    return segment ? (decodeSegment(segment) ?? undefined) : undefined;
  },
});

export function registerPages(app: FastifyInstance, opts: PagesOptions): void {
  const itemsEnabled = itemsAreLocal(opts.files.itemsDir);
  const prefixOf = (req: FastifyRequest) => {
    const v = req.headers[opts.prefixHeader.toLowerCase()];
    return (Array.isArray(v) ? v[0] : v)?.replace(/\/+$/, '') ?? '';
  };
  const notAllowed = (reply: FastifyReply) =>
    reply.code(405).header('allow', 'GET, HEAD').type('text/plain').send('Method Not Allowed');

  app.route({
    method: ['GET', 'HEAD', 'POST'],
    url: '/',
    exposeHeadRoute: false,
    config: scrapydNeeds('read'),
    handler: async (req, reply) => {
      const { projects } = await opts.service.listProjects(projectsVisible(req, 'read'));
      return reply
        .type(HTML)
        .send(renderHomePage({ prefix: prefixOf(req), projects, itemsEnabled, nodeName: opts.nodeName }));
    },
  });

  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/jobs',
    exposeHeadRoute: false,
    config: scrapydNeeds('read'),
    handler: async (req, reply) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed(reply);
      const rows = await opts.service.jobsPageRows(projectsVisible(req, 'read'));
      const html = renderJobsPage({
        prefix: prefixOf(req),
        itemsEnabled,
        cancelEnabled: !opts.disabledServices.includes('cancel.json'),
        now: Date.now(),
        pending: rows.pending.map((j) => ({ project: j.project, spider: j.spider, id: j.job_id })),
        running: rows.running.map((j) => {
          const urls = jobUrls(opts.files, j.project, j.spider, j.job_id);
          return {
            project: j.project,
            spider: j.spider,
            id: j.job_id,
            pid: j.pid,
            startMs: Number(j.started_at ?? j.created_at),
            logUrl: urls.log_url,
            itemsUrl: urls.items_url,
          };
        }),
        finished: rows.finished.map((j) => {
          const urls = jobUrls(opts.files, j.project, j.spider, j.job_id);
          const endMs = Number(j.ended_at ?? j.created_at);
          return {
            project: j.project,
            spider: j.spider,
            id: j.job_id,
            startMs: Number(j.started_at ?? endMs),
            endMs,
            logUrl: urls.log_url,
            itemsUrl: urls.items_url,
          };
        }),
      });
      return reply.type(HTML).send(html);
    },
  });

  const tree = (urlPrefix: '/logs/' | '/items/', root: string) => {
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed(reply);
      const visible = projectsVisible(req, 'read');
      const res = await serveTree({
        // The first level is the project: a hidden one is left out of the listing and answers 404 as a missing one.
        ...(visible === '*' ? {} : { visibleProject: (p: string) => projectVisible(visible, p) }),
        root,
        urlPrefix,
        requestPath: req.url.split('?')[0]!,
        method: req.method,
        headers: req.headers,
      });
      reply.code(res.status).headers(res.headers);
      return reply.send(res.body ?? '');
    };
    const base = urlPrefix.slice(0, -1);
    const config = scrapydNeeds('read', treeProject(urlPrefix));
    app.route({ method: ['GET', 'HEAD', 'POST'], url: base, exposeHeadRoute: false, config, handler });
    app.route({ method: ['GET', 'HEAD', 'POST'], url: `${base}/*`, exposeHeadRoute: false, config, handler });
  };
  // The trees exist from the first start, so an empty master lists an empty /logs/ and /items/ instead of
  // answering 404 until the first job writes there (dashboards read that 404 as a broken server).
  const mounted = (urlPrefix: '/logs/' | '/items/', root: string) => {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    tree(urlPrefix, root);
  };
  if (opts.files.logsDir !== '') mounted('/logs/', opts.files.logsDir);
  if (itemsEnabled) mounted('/items/', opts.files.itemsDir.replace(/^file:\/\//i, ''));
}
