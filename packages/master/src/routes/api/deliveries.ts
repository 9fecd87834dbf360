/**
 * /api/v1/webhooks and /api/v1/channels: create, list, show, update, delete, send a test, and each one's delivery
 * log. (Writes need admin: see plugin.ts.)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ChannelService } from '../../deliveries/channel-service.js';
import type { WebhookService } from '../../deliveries/webhook-service.js';
import { parseOr400 } from './validate.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });

interface Manageable {
  list(): Promise<unknown>;
  get(id: string): Promise<unknown>;
  create(body: unknown): Promise<unknown>;
  update(id: string, body: unknown): Promise<unknown>;
  delete(id: string): Promise<void>;
  test(id: string): Promise<unknown>;
  deliveries(id: string, query: unknown): Promise<unknown>;
}

function crud(app: FastifyInstance, path: string, s: Manageable, wrap: (v: unknown) => unknown): void {
  const id = (req: { params: unknown }) => parseOr400(IdParams, req.params, 'path').id;
  app.get(path, async () => s.list());
  app.post(path, async (req, reply) => reply.code(201).send(await s.create(req.body)));
  app.get(`${path}/:id`, async (req) => wrap(await s.get(id(req))));
  app.patch(`${path}/:id`, async (req) => s.update(id(req), req.body));
  app.delete(`${path}/:id`, async (req, reply) => {
    await s.delete(id(req));
    return reply.code(204).send();
  });
  app.post(`${path}/:id/test`, async (req, reply) => reply.code(202).send(await s.test(id(req))));
  app.get(`${path}/:id/deliveries`, async (req) => s.deliveries(id(req), req.query));
}

export function deliveryRoutes(app: FastifyInstance, o: { webhooks: WebhookService; channels: ChannelService }): void {
  crud(app, '/webhooks', o.webhooks, (webhook) => ({ webhook }));
  crud(app, '/channels', o.channels, (channel) => ({ channel }));
}
