/**
 * /api/v1/schedules: create, list, show, update, pause, resume, delete, run now, next fires, history, and a
 * preview of an expression before it is saved. (Writes need admin: see plugin.ts.)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ProjectName } from '@scrapyard/protocol';
import type { ScheduleService } from '../../schedules/schedule-service.js';
import { parseOr400 } from './validate.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const ListQuery = z.object({ project: ProjectName.optional() }).strict();
const NextQuery = z.object({ count: z.coerce.number().int().min(1).max(100).default(5) }).strict();
const FiresQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
    before: z.coerce.number().int().nonnegative().optional(),
  })
  .strict();

export function scheduleRoutes(app: FastifyInstance, o: { schedules: ScheduleService }): void {
  const s = o.schedules;
  const id = (req: { params: unknown }) => parseOr400(IdParams, req.params, 'path').id;

  app.get('/schedules', async (req) => {
    const q = parseOr400(ListQuery, req.query, 'query');
    return { schedules: await s.list(q.project) };
  });
  app.post('/schedules', async (req, reply) => reply.code(201).send(await s.create(req.body)));
  app.post('/schedules/preview', async (req) => s.preview(req.body));
  app.get('/schedules/:id', async (req) => s.get(id(req)));
  app.patch('/schedules/:id', async (req) => s.update(id(req), req.body));
  app.delete('/schedules/:id', async (req, reply) => {
    await s.delete(id(req));
    return reply.code(204).send();
  });
  app.post('/schedules/:id/pause', async (req) => s.setEnabled(id(req), false));
  app.post('/schedules/:id/resume', async (req) => s.setEnabled(id(req), true));
  app.post('/schedules/:id/run', async (req, reply) => reply.code(201).send({ fire: await s.runNow(id(req)) }));
  app.get('/schedules/:id/next', async (req) => {
    const q = parseOr400(NextQuery, req.query, 'query');
    return s.upcoming(id(req), q.count);
  });
  app.get('/schedules/:id/fires', async (req) => {
    const q = parseOr400(FiresQuery, req.query, 'query');
    return s.fires(id(req), q.limit, q.before);
  });
}
