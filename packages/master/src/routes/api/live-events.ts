/**
 * `GET /api/v1/events`: the web UI's live event stream (server-sent events; docs/cluster.md, "Live events"). Any
 * signed-in principal; what it carries is filtered by the principal's read grants (live/viewer-filter.ts). The
 * stream itself is live/live-hub.ts; this route parses the request, applies the cap on open streams (429
 * TOO_MANY_STREAMS) and hands the response over.
 */
import type { FastifyInstance } from 'fastify';
import { LiveEventsQuery, parseOr400 } from '@scrapyard/protocol';
import { SIGNED_IN } from '../../auth/access-rules.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { LiveHub } from '../../live/live-hub.js';
import { ApiError } from './api-error.js';
import { apiErrorHandler } from './errors.js';
import { startEventStream } from './event-stream-reply.js';

export interface LiveEventsOptions {
  hub: LiveHub;
  auth: Authenticator;
}

/** Fastify plugin (register it as is; it declares its full path). */
export async function liveEventsRoutes(app: FastifyInstance, o: LiveEventsOptions): Promise<void> {
  app.setErrorHandler(apiErrorHandler);
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => o.hub.closeAll());

  app.get('/api/v1/events', { config: SIGNED_IN }, async (req, reply) => {
    const query = parseOr400(LiveEventsQuery, req.query, 'query');
    const header = req.headers['last-event-id'];
    // The header wins (a browser's own reconnect); the query is for a client that starts a new EventSource.
    const lastEventId = typeof header === 'string' ? header.slice(0, 64) : query.lastEventId;
    if (o.hub.full) {
      throw new ApiError(
        'TOO_MANY_STREAMS',
        `too many live event streams are open (max_event_streams = ${o.hub.maxStreams}); retry later`,
        { retryAfterSeconds: 5 },
      );
    }
    const principal = req.principal!;
    const credentials = { authorization: req.headers.authorization, cookie: req.headers.cookie };
    const from = { address: req.ip };

    const res = startEventStream(reply);
    const conn = o.hub.attach({
      sink: res,
      principal,
      families: query.types,
      lastEventId,
      reidentify: () => o.auth.identify(credentials, from),
    });
    const close = () => conn.close();
    res.on('close', close);
    res.on('error', close);
  });
}
