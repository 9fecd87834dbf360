/**
 * /api/v1/projects/:project[/spiders/:spider]/policy: placement defaults (tags, running caps, retries). (PUT needs
 * admin: see plugin.ts.)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PlacementPolicy, ProjectName, SpiderName } from '@scrapyard/protocol';
import type { PolicyStore } from '../../services/policy-store.js';
import { parseOr400 } from './validate.js';

const ProjectParams = z.object({ project: ProjectName });
const SpiderParams = z.object({ project: ProjectName, spider: SpiderName });

export function policyRoutes(
  app: FastifyInstance,
  o: { policies: PolicyStore; now: () => number; kick: () => void },
): void {
  const put = async (project: string, spider: string, body: unknown) => {
    const policy = await o.policies.put(project, spider, parseOr400(PlacementPolicy, body ?? {}, 'body'), o.now());
    o.kick(); // a raised cap or new tags may let pending jobs start
    return policy;
  };
  app.get('/projects/:project/policy', async (req) => {
    const { project } = parseOr400(ProjectParams, req.params, 'path');
    return o.policies.get(project);
  });
  app.put('/projects/:project/policy', async (req) => {
    const { project } = parseOr400(ProjectParams, req.params, 'path');
    return put(project, '', req.body);
  });
  app.get('/projects/:project/spiders/:spider/policy', async (req) => {
    const { project, spider } = parseOr400(SpiderParams, req.params, 'path');
    return o.policies.get(project, spider);
  });
  app.put('/projects/:project/spiders/:spider/policy', async (req) => {
    const { project, spider } = parseOr400(SpiderParams, req.params, 'path');
    return put(project, spider, req.body);
  });
}
