/**
 * /api/v1/schedules: create, list, show, update, pause, resume, delete, run now, next fires, history, and a
 * preview of an expression before it is saved. Each acts on the schedule's project (auth/access-rules.ts); only the
 * schedules of projects the caller may read are listed or found (scoped-lookups.ts).
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
import { inBody, inQuery, needs, ofResource } from '../../auth/access-rules.js';
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

export function scheduleRoutes(app: CheckedApp, o: { schedules: ScheduleService; visible: VisibleOf }): void {
  const s = o.schedules;
  const reveal = revealer(o.visible, async (i) => (await s.get(i)).project, notFound);
  const id = (req: FastifyRequest) => reveal(req, parseOr400(IdParams, req.params, 'path').id);
  // A POST or PATCH without a body is an empty one.
  const body = <T extends z.ZodType>(schema: T, req: { body: unknown }) => parseOr400(schema, req.body ?? {}, 'body');
  // A schedule's routes act on its project (and a PATCH on the one it moves to).
  // A hidden schedule names no project here (its lookup fails): the handler then answers it as missing.
  const itsProject = async (req: FastifyRequest) => (await s.get(await id(req))).project;
  const ofSchedule = ofResource("the schedule's project", itsProject);
  const one = { schema: { response: { 200: Schedule } }, config: needs('read', ofSchedule) };
  const changed = { schema: { response: { 200: Schedule } }, config: needs('configure', ofSchedule) };
  const times = { schema: { response: { 200: FireTimes } } };

  const list = { schema: { response: { 200: ScheduleList } }, config: needs('read', inQuery()) };
  app.get('/schedules', list, async (req) => {
    const q = parseOr400(ListQuery, req.query, 'query');
    return { schedules: onlyVisible(o.visible(req), await s.list(q.project), (x) => x.project) };
  });
  const create = { schema: { response: { 201: Schedule } }, config: needs('configure', inBody()) };
  app.post('/schedules', create, async (req, reply) =>
    reply.code(201).send(await s.create(body(CreateScheduleRequest, req))),
  );
  // A preview reaches no project and stores nothing; it is a step of writing a schedule.
  const preview = { ...times, config: needs('configure') };
  app.post('/schedules/preview', preview, async (req) => s.preview(body(PreviewScheduleRequest, req)));
  app.get('/schedules/:id', one, async (req) => s.get(await id(req)));
  const moved = { ...changed, config: needs('configure', ofResource("the schedule's project", itsProject, 'project')) };
  app.patch('/schedules/:id', moved, async (req) => s.update(await id(req), body(UpdateScheduleRequest, req)));
  app.delete('/schedules/:id', { config: needs('configure', ofSchedule) }, async (req, reply) => {
    await s.delete(await id(req));
    return reply.code(204).send();
  });
  app.post('/schedules/:id/pause', changed, async (req) => s.setEnabled(await id(req), false));
  app.post('/schedules/:id/resume', changed, async (req) => s.setEnabled(await id(req), true));
  const run = { schema: { response: { 201: RunNowResponse } }, config: needs('run-schedule', ofSchedule) };
  app.post('/schedules/:id/run', run, async (req, reply) =>
    reply.code(201).send({ fire: await s.runNow(await id(req)) }),
  );
  const next = { ...times, config: needs('read', ofSchedule) };
  app.get('/schedules/:id/next', next, async (req) => {
    const q = parseOr400(NextQuery, req.query, 'query');
    return s.upcoming(await id(req), q.count);
  });
  const fires = { schema: { response: { 200: FirePage } }, config: needs('read', ofSchedule) };
  app.get('/schedules/:id/fires', fires, async (req) => {
    const q = parseOr400(FiresQuery, req.query, 'query');
    return s.fires(await id(req), q.limit, q.before);
  });
}
