/**
 * The master's own REST API under /api/v1 (docs/cluster.md): nodes, enrollment, jobs with placement detail,
 * policies, metrics and the live log tail. JSON in and out, `{"error":{code,message}}` on failure. zod at the edge:
 * handlers parse params, query and body with the protocol's schemas and hand typed values to the services, and
 * every answer is checked against its schema before it leaves (checked-answers.ts).
 * Access: each route names the action it needs and where its project is (auth/access-rules.ts), checked by the
 * root access hooks (auth/access.ts); GET /api/v1/access lists them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { projectsVisible, setNotFoundWithRule, type AccessTable } from '../../auth/access.js';
import { needs } from '../../auth/access-rules.js';
import type { JobStatsRepo } from '../../db/repos/job-stats.js';
import type { JobsRepo } from '../../db/repos/jobs.js';
import type { MetricsRepo } from '../../db/repos/metrics.js';
import type { DomainEvents } from '../../events/domain-events.js';
import type { JobFilesConfig } from '../../jobs/job-files.js';
import type { JobService } from '../../jobs/job-service.js';
import type { NodeAdmin } from '../../auth/node-admin.js';
import type { PolicyStore } from '../../projects/policy-store.js';
import { withCheckedAnswers } from './checked-answers.js';
import { apiErrorHandler } from './errors.js';
import { jobStatsRoutes } from './job-stats.js';
import { jobRoutes, type JobViews } from './jobs.js';
import { jobLogRoutes } from './job-log.js';
import { overviewRoutes } from './overview.js';
import { logStreamRoutes } from './log-stream.js';
import { nodeRoutes } from './nodes.js';
import { policyRoutes } from './policies.js';
import { scheduleRoutes } from './schedules.js';
import { deliveryRoutes } from './deliveries.js';
import { alertRoutes } from './alerts.js';
import { spiderBaselineRoutes } from './spider-baseline.js';
import { accessRoutes } from './access.js';
import { auditRoutes, type AuditRouteOptions } from './audit.js';
import type { AlertRuleService } from '../../alerts/rule-service.js';
import type { ChannelService } from '../../deliveries/channel-service.js';
import type { WebhookService } from '../../deliveries/webhook-service.js';
import type { ScheduleService } from '../../schedules/schedule-service.js';
import type { UserService } from '../../auth/users.js';
import { userRoutes } from './users.js';

export interface ApiPluginOptions {
  admin: NodeAdmin;
  jobs: JobsRepo;
  /** Job commands and queries (submit, cancel, pages, attempts). */
  jobService: JobService;
  /** Most spider arguments or settings per submitted job (max_schedule_params). */
  maxScheduleParams: number;
  metrics: MetricsRepo;
  /** Live Scrapy stats per run; absent: no /jobs/:jobId/stats route. */
  jobStats?: JobStatsRepo;
  policies: PolicyStore;
  /** Whether a project exists, and the spiders of its latest version (policy writes name real targets). */
  projectExists: (project: string) => Promise<boolean>;
  spiders: (project: string) => Promise<string[]>;
  views: JobViews;
  /** The domain events (the live tail follows them). */
  events: DomainEvents;
  files: JobFilesConfig;
  /** Every route's rule, for GET /api/v1/access. */
  access: AccessTable;
  /** Largest JSON body (body_limit_bytes). */
  bodyLimitBytes: number;
  /** Live tails open at once (max_live_tails). */
  maxLiveTails: number;
  now: () => number;
  kick: () => void;
  schedules: ScheduleService;
  webhooks: WebhookService;
  channels: ChannelService;
  alerts: AlertRuleService;
  users: UserService;
  audit: AuditRouteOptions['audit'];
}

export async function apiPlugin(app: FastifyInstance, o: ApiPluginOptions): Promise<void> {
  // Every route of this API, including ones added later, gets the small cap unless it asks for less.
  app.addHook('onRoute', (route) => {
    route.bodyLimit = Math.min(route.bodyLimit ?? o.bodyLimitBytes, o.bodyLimitBytes);
  });
  app.setErrorHandler(apiErrorHandler);
  // What each request may read: lists, counts and lookups show only these projects (auth/access.ts).
  const visible = (req: FastifyRequest) => projectsVisible(req, 'read');
  await app.register(
    async (scope) => {
      const api = withCheckedAnswers(scope);
      nodeRoutes(api, { admin: o.admin, metrics: o.metrics });
      jobRoutes(api, {
        jobs: o.jobService,
        metrics: o.metrics,
        views: o.views,
        maxScheduleParams: o.maxScheduleParams,
        visible,
      });
      jobLogRoutes(api, { jobs: o.jobService, files: o.files, visible });
      overviewRoutes(api, { jobs: o.jobs, nodes: () => o.admin.list(), alerts: o.alerts, now: o.now, visible });
      if (o.jobStats) jobStatsRoutes(api, { jobs: o.jobService, stats: o.jobStats, visible });
      policyRoutes(api, {
        policies: o.policies,
        now: o.now,
        kick: o.kick,
        projectExists: o.projectExists,
        spiders: o.spiders,
      });
      scheduleRoutes(api, { schedules: o.schedules, visible });
      deliveryRoutes(api, { webhooks: o.webhooks, channels: o.channels, visible });
      alertRoutes(api, { alerts: o.alerts, visible });
      spiderBaselineRoutes(api, { alerts: o.alerts });
      accessRoutes(api, { table: o.access });
      userRoutes(api, { users: o.users });
      auditRoutes(api, { audit: o.audit });
      // An unknown path needs what a read needs (and, for other methods, credentials even under the open default).
      setNotFoundWithRule(api, needs('read'), (req, reply) =>
        reply
          .code(404)
          .send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
      );
    },
    { prefix: '/api/v1' },
  );
  await app.register(logStreamRoutes, {
    events: o.events,
    files: o.files,
    findJob: (jobId, project, scope) => o.jobs.latestByJobId(jobId, project, scope),
    visible,
    streamAccess: (req, project) => o.access.streamAccess(req, project),
    maxTails: o.maxLiveTails,
  });
}
