/**
 * /api/v1/webhooks and /api/v1/channels: create, list, show, update, delete, send a test, and each one's delivery
 * log. A webhook acts on its project, or on every project without one (a `*` grant then); a channel serves
 * every project (auth/access-rules.ts). Only those the caller may read are listed or found: an id of a hidden one
 * answers as a missing one (scoped-lookups.ts).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ChannelList,
  ChannelResponse,
  ChannelWithSecret,
  CreateChannelRequest,
  CreateWebhookRequest,
  DeliveryPage,
  DeliveryQuery,
  TestDeliveryResponse,
  UpdateChannelRequest,
  UpdateWebhookRequest,
  WebhookList,
  WebhookResponse,
  WebhookWithSecret,
} from '@scrapyard/protocol';
import { channelNotFound, type ChannelService } from '../../deliveries/channel-service.js';
import { webhookNotFound, type WebhookService } from '../../deliveries/webhook-service.js';
import { parseOr400 } from '@scrapyard/protocol';
import { needs, ofResource, type ProjectRef, type ProjectSource } from '../../auth/access-rules.js';
import type { CheckedApp } from './checked-answers.js';
import { onlyVisible, revealer, type VisibleOf } from './scoped-lookups.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** What a webhook and a channel have in common at the edge: their bodies and answers. */
interface Schemas<Create extends z.ZodType, Update extends z.ZodType> {
  create: Create;
  update: Update;
  list: z.ZodType;
  one: z.ZodType;
  withSecret: z.ZodType;
  /** Wraps a shown one (`{webhook}`, `{channel}`). */
  wrap: (v: unknown) => unknown;
  /** Project scoping: a list as the caller may see it, and the check of an id. */
  scoped: (req: FastifyRequest, list: unknown) => unknown;
  reveal: (req: FastifyRequest, id: string) => Promise<string>;
  /** The project one acts on, and the one a body names; absent: every project (a channel serves them all). */
  projects?: {
    projectOf: (id: string) => Promise<ProjectRef>;
    bodyProject: (body: unknown, creating: boolean) => ProjectRef;
  };
}

interface Manageable<Create extends z.ZodType, Update extends z.ZodType> {
  list(): Promise<unknown>;
  get(id: string): Promise<unknown>;
  create(body: z.output<Create>): Promise<unknown>;
  update(id: string, body: z.output<Update>): Promise<unknown>;
  delete(id: string): Promise<void>;
  test(id: string): Promise<unknown>;
  deliveries(id: string, query: z.output<typeof DeliveryQuery>): Promise<unknown>;
}

function crud<C extends z.ZodType, U extends z.ZodType>(
  app: CheckedApp,
  path: string,
  s: Manageable<C, U>,
  x: Schemas<C, U>,
): void {
  const id = (req: FastifyRequest) => x.reveal(req, parseOr400(IdParams, req.params, 'path').id);
  const answers = (code: number, schema: z.ZodType) => ({ schema: { response: { [code]: schema } } });
  const every: ProjectSource = { of: 'every project', find: async () => null };
  const sc = x.projects;
  const what = `the ${path.slice(1, -1)}'s project`;
  // A hidden one names no project here (its lookup fails): the handler then answers it as missing.
  const own = sc ? ofResource(what, async (req) => sc.projectOf(await id(req))) : every;
  const created: ProjectSource = sc
    ? { of: 'body.project (none: every project)', find: async (req) => sc.bodyProject(req.body, true) }
    : every;
  const moved: ProjectSource = sc
    ? {
        of: `${what} and body.project`,
        find: async (req) => [
          await id(req)
            .then(sc.projectOf)
            .catch(() => undefined),
          sc.bodyProject(req.body, false),
        ],
      }
    : every;
  app.get(path, { ...answers(200, x.list), config: needs('read') }, async (req) => x.scoped(req, await s.list()));
  app.post(path, { ...answers(201, x.withSecret), config: needs('configure', created) }, async (req, reply) =>
    reply.code(201).send(await s.create(parseOr400(x.create, req.body, 'body'))),
  );
  app.get(`${path}/:id`, { ...answers(200, x.one), config: needs('read', own) }, async (req) =>
    x.wrap(await s.get(await id(req))),
  );
  app.patch(`${path}/:id`, { ...answers(200, x.withSecret), config: needs('configure', moved) }, async (req) =>
    s.update(await id(req), parseOr400(x.update, req.body, 'body')),
  );
  app.delete(`${path}/:id`, { config: needs('configure', own) }, async (req, reply) => {
    await s.delete(await id(req));
    return reply.code(204).send();
  });
  const test = { ...answers(202, TestDeliveryResponse), config: needs('configure', own) };
  app.post(`${path}/:id/test`, test, async (req, reply) => reply.code(202).send(await s.test(await id(req))));
  app.get(`${path}/:id/deliveries`, { ...answers(200, DeliveryPage), config: needs('read', own) }, async (req) =>
    s.deliveries(await id(req), parseOr400(DeliveryQuery, req.query, 'query')),
  );
}

export function deliveryRoutes(
  app: CheckedApp,
  o: { webhooks: WebhookService; channels: ChannelService; visible: VisibleOf },
): void {
  const webhookProject = async (id: string) => (await o.webhooks.get(id)).project;
  crud(app, '/webhooks', o.webhooks, {
    scoped: (req, list) => {
      const v = o.visible(req);
      const { webhooks } = list as Awaited<ReturnType<WebhookService['list']>>;
      return { webhooks: onlyVisible(v, webhooks, (w) => w.project) };
    },
    reveal: revealer(o.visible, webhookProject, webhookNotFound),
    create: CreateWebhookRequest,
    update: UpdateWebhookRequest,
    list: WebhookList,
    one: WebhookResponse,
    withSecret: WebhookWithSecret,
    wrap: (webhook) => ({ webhook }),
    projects: {
      projectOf: webhookProject,
      bodyProject: (body, creating) => {
        const p = body !== null && typeof body === 'object' ? (body as { project?: unknown }).project : undefined;
        if (typeof p === 'string' || p === null) return p;
        return creating ? null : undefined;
      },
    },
  });
  // A channel carries alerts of every project: shown only to a reader of all of them.
  crud(app, '/channels', o.channels, {
    scoped: (req, list) => (o.visible(req) === '*' ? list : { channels: [] }),
    reveal: revealer(
      o.visible,
      async (id) => {
        await o.channels.get(id);
        return null;
      },
      channelNotFound,
    ),
    create: CreateChannelRequest,
    update: UpdateChannelRequest,
    list: ChannelList,
    one: ChannelResponse,
    withSecret: ChannelWithSecret,
    wrap: (channel) => ({ channel }),
  });
}
