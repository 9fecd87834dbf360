/**
 * /api/v1/schedules: create, list, show, update, pause, resume, delete, run now, next fires, history, and a
 * preview of an expression before it is saved. (Writes need admin: see plugin.ts.) Only the schedules of projects
 * the caller may read are listed or found (scoped-lookups.ts).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CreateScheduleRequest,
  FirePage,
  FireTimes,
  PreviewScheduleRequest,
  ProjectName,
  RunNowResponse,
  Schedule,
  ScheduleList,
  UpdateScheduleRequest,
} from '@scrapyard/protocol';
import { notFound, type ScheduleService } from '../../schedules/schedule-service.js';
import { parseOr400 } from '@scrapyard/protocol';
import type { CheckedApp } from './checked-answers.js';
import { onlyVisible, revealer, type VisibleOf } from './scoped-lookups.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const ListQuery = z.object({ project: ProjectName.optional() }).strict();
const NextQuery = z.object({ count: z.coerce.number().int().min(1).max(100).default(5) }).strict();
const FiresQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
    before: z.coerce.number().int().nonnegative().optional(),
  })
  .strict();
const one = { schema: { response: { 200: Schedule } } };
const times = { schema: { response: { 200: FireTimes } } };

export function scheduleRoutes(app: CheckedApp, o: { schedules: ScheduleService; visible: VisibleOf }): void {
  const s = o.schedules;
  const reveal = revealer(o.visible, async (i) => (await s.get(i)).project, notFound);
  const id = (req: FastifyRequest) => reveal(req, parseOr400(IdParams, req.params, 'path').id);
  // A POST or PATCH without a body is an empty one.
  const body = <T extends z.ZodType>(schema: T, req: { body: unknown }) => parseOr400(schema, req.body ?? {}, 'body');

  app.get('/schedules', { schema: { response: { 200: ScheduleList } } }, async (req) => {
    const q = parseOr400(ListQuery, req.query, 'query');
    return { schedules: onlyVisible(o.visible(req), await s.list(q.project), (x) => x.project) };
  });
  app.post('/schedules', { schema: { response: { 201: Schedule } } }, async (req, reply) =>
    reply.code(201).send(await s.create(body(CreateScheduleRequest, req))),
  );
  app.post('/schedules/preview', times, async (req) => s.preview(body(PreviewScheduleRequest, req)));
  app.get('/schedules/:id', one, async (req) => s.get(await id(req)));
  app.patch('/schedules/:id', one, async (req) => s.update(await id(req), body(UpdateScheduleRequest, req)));
  app.delete('/schedules/:id', async (req, reply) => {
    await s.delete(await id(req));
    return reply.code(204).send();
  });
  app.post('/schedules/:id/pause', one, async (req) => s.setEnabled(await id(req), false));
  app.post('/schedules/:id/resume', one, async (req) => s.setEnabled(await id(req), true));
  app.post('/schedules/:id/run', { schema: { response: { 201: RunNowResponse } } }, async (req, reply) =>
    reply.code(201).send({ fire: await s.runNow(await id(req)) }),
  );
  app.get('/schedules/:id/next', times, async (req) => {
    const q = parseOr400(NextQuery, req.query, 'query');
    return s.upcoming(await id(req), q.count);
  });
  app.get('/schedules/:id/fires', { schema: { response: { 200: FirePage } } }, async (req) => {
    const q = parseOr400(FiresQuery, req.query, 'query');
    return s.fires(await id(req), q.limit, q.before);
  });
}
