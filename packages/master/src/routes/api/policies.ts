/**
 * /api/v1/projects/:project[/spiders/:spider]/policy: placement defaults (tags, running caps, retries, run limits).
 * GET reads; PUT replaces the whole policy (a field left out is null: inherit); PATCH changes only the fields it
 * gives; DELETE forgets it. PUT and PATCH name a project that exists (404 PROJECT_NOT_FOUND) and a spider of its
 * latest version (404 SPIDER_NOT_FOUND), unless `?allow_unknown_project=1` / `?allow_unknown_spider=1` say it is
 * deployed later (a project's tags set before its first deploy route that deploy's `scrapy list`).
 * (Writes need admin: see plugin.ts.)
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PlacementPolicy, PlacementPolicyPatch, ProjectName, SpiderName } from '@scrapyard/protocol';
import { inParams, needs } from '../../auth/access-rules.js';
import { ApiError } from './api-error.js';
import type { PolicyStore } from '../../projects/policy-store.js';
import { parseOr400 } from '@scrapyard/protocol';
import type { CheckedApp } from './checked-answers.js';

const ProjectParams = z.object({ project: ProjectName });
const SpiderParams = z.object({ project: ProjectName, spider: SpiderName });
const flag = z
  .enum(['0', '1', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');
const WriteQuery = z.object({ allow_unknown_project: flag, allow_unknown_spider: flag });
const policy = { schema: { response: { 200: PlacementPolicy } }, config: needs('read', inParams()) };
const setPolicy = { schema: { response: { 200: PlacementPolicy } }, config: needs('configure', inParams()) };
const deletePolicy = { config: needs('configure', inParams()) };

export interface PolicyRouteOptions {
  policies: PolicyStore;
  now: () => number;
  kick: () => void;
  /** Whether the project exists (deployed, or in the [settings] section). */
  projectExists: (project: string) => Promise<boolean>;
  /** The spiders of the project's latest version. */
  spiders: (project: string) => Promise<string[]>;
}

export function policyRoutes(app: CheckedApp, o: PolicyRouteOptions): void {
  /** Refuses a policy for a project that does not exist, or a spider it does not have (unless asked for). */
  const checkTarget = async (req: FastifyRequest, project: string, spider: string) => {
    const q = parseOr400(WriteQuery, req.query ?? {}, 'query');
    const exists = await o.projectExists(project);
    if (!exists && !q.allow_unknown_project) {
      throw new ApiError(
        'PROJECT_NOT_FOUND',
        `project "${project}" does not exist; for a project deployed later, add ?allow_unknown_project=1`,
      );
    }
    if (spider === '' || q.allow_unknown_spider) return;
    if (!exists || !(await o.spiders(project)).includes(spider)) {
      throw new ApiError(
        'SPIDER_NOT_FOUND',
        `project "${project}" has no spider "${spider}" in its latest version; for a spider deployed later, add ?allow_unknown_spider=1`,
      );
    }
  };
  const save = async (project: string, spider: string, policy: PlacementPolicy) => {
    const saved = await o.policies.put(project, spider, policy, o.now());
    o.kick(); // a raised cap or new tags may let pending jobs start
    return saved;
  };
  const put = async (req: FastifyRequest, project: string, spider: string) => {
    const policy = parseOr400(PlacementPolicy, req.body ?? {}, 'body');
    await checkTarget(req, project, spider);
    return save(project, spider, policy);
  };
  const patch = async (req: FastifyRequest, project: string, spider: string) => {
    const changes = parseOr400(PlacementPolicyPatch, req.body ?? {}, 'body');
    await checkTarget(req, project, spider);
    return save(project, spider, { ...o.policies.get(project, spider), ...changes });
  };
  const remove = async (project: string, spider: string) => {
    await o.policies.delete(project, spider);
    o.kick(); // a lifted cap may let pending jobs start
  };

  app.get('/projects/:project/policy', policy, async (req) => {
    const { project } = parseOr400(ProjectParams, req.params, 'path');
    return o.policies.get(project);
  });
  app.put('/projects/:project/policy', setPolicy, async (req) => {
    const { project } = parseOr400(ProjectParams, req.params, 'path');
    return put(req, project, '');
  });
  app.patch('/projects/:project/policy', setPolicy, async (req) => {
    const { project } = parseOr400(ProjectParams, req.params, 'path');
    return patch(req, project, '');
  });
  app.delete('/projects/:project/policy', deletePolicy, async (req, reply) => {
    const { project } = parseOr400(ProjectParams, req.params, 'path');
    await remove(project, '');
    return reply.code(204).send();
  });
  app.get('/projects/:project/spiders/:spider/policy', policy, async (req) => {
    const { project, spider } = parseOr400(SpiderParams, req.params, 'path');
    return o.policies.get(project, spider);
  });
  app.put('/projects/:project/spiders/:spider/policy', setPolicy, async (req) => {
    const { project, spider } = parseOr400(SpiderParams, req.params, 'path');
    return put(req, project, spider);
  });
  app.patch('/projects/:project/spiders/:spider/policy', setPolicy, async (req) => {
    const { project, spider } = parseOr400(SpiderParams, req.params, 'path');
    return patch(req, project, spider);
  });
  app.delete('/projects/:project/spiders/:spider/policy', deletePolicy, async (req, reply) => {
    const { project, spider } = parseOr400(SpiderParams, req.params, 'path');
    await remove(project, spider);
    return reply.code(204).send();
  });
}
