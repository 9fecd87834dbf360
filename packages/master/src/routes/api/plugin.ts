/**
 * The master's own REST API under /api/v1 (docs/cluster.md): nodes, enrollment, jobs with placement detail,
 * policies, metrics and the live log tail. JSON in and out, zod at the edge, `{"error":{code,message}}` on failure.
 */
import type { FastifyInstance } from 'fastify';
import type { JobsRepo } from '../../db/repos/jobs.js';
import type { MetricsRepo } from '../../db/repos/metrics.js';
import type { JobFilesConfig } from '../../jobs/job-files.js';
import type { LogSink } from '../../jobs/log-sink.js';
import type { NodeAdmin } from '../../services/node-admin.js';
import type { PolicyStore } from '../../services/policy-store.js';
import { apiErrorHandler } from './errors.js';
import { createApiGuard } from './guard.js';
import { jobRoutes, type JobViews } from './jobs.js';
import { logStreamRoutes } from './log-stream.js';
import { nodeRoutes } from './nodes.js';
import { policyRoutes } from './policies.js';

export interface ApiPluginOptions {
  admin: NodeAdmin;
  jobs: JobsRepo;
  metrics: MetricsRepo;
  policies: PolicyStore;
  views: JobViews;
  sink: LogSink;
  files: JobFilesConfig;
  username: string;
  password: string;
  now: () => number;
  kick: () => void;
}

export async function apiPlugin(app: FastifyInstance, o: ApiPluginOptions): Promise<void> {
  const guard = createApiGuard(o.username, o.password);
  app.addHook('onRequest', guard.authenticate);
  app.setErrorHandler(apiErrorHandler);
  await app.register(
    async (api) => {
      nodeRoutes(api, { admin: o.admin, metrics: o.metrics, adminOnly: guard.admin });
      jobRoutes(api, { jobs: o.jobs, metrics: o.metrics, views: o.views });
      policyRoutes(api, { policies: o.policies, now: o.now, kick: o.kick, adminOnly: guard.admin });
      api.setNotFoundHandler((req, reply) =>
        reply
          .code(404)
          .send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
      );
    },
    { prefix: '/api/v1' },
  );
  await app.register(logStreamRoutes, {
    sink: o.sink,
    files: o.files,
    findJob: (jobId, project) => o.jobs.latestByJobId(jobId, project),
  });
}
