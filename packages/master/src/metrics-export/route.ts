/**
 * GET /metrics: the Prometheus text exposition. Access: the `metrics` action (a reader of every project, or a
 * scraper with the metrics token), checked before anything else runs (auth/access.ts).
 */
import type { FastifyInstance } from 'fastify';
import { needs } from '../auth/access-rules.js';
import type { MetricsExporter } from './exporter.js';

export const METRICS_PATH = '/metrics';

export async function metricsRoute(app: FastifyInstance, o: { exporter: MetricsExporter }): Promise<void> {
  app.get(METRICS_PATH, { config: needs('metrics') }, async (req, reply) => {
    let text: string;
    try {
      text = await o.exporter.render();
    } catch (err) {
      // Usually the database: Prometheus records the failed scrape (up = 0), the log says why.
      req.log.error({ err }, 'rendering /metrics failed');
      return reply.code(503).type('text/plain; charset=utf-8').send('metrics unavailable\n');
    }
    // A scrape must never be served from a cache.
    return reply.header('cache-control', 'no-store').type(o.exporter.contentType).send(text);
  });
}
