/**
 * Projects and versions through REST, for the UI (docs/ui-data.md): list and describe projects (versions and
 * spiders), upload an egg, delete a version. Every change goes through the one ProjectService that addversion.json
 * and delversion.json use (same checks, same `scrapy list` and rollback, same events). A plugin of its own: the
 * upload takes bodies up to upload_limit_bytes, which the API plugin's small body cap would refuse. The access rule
 * is checked on the path's project before the body is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import busboy from 'busboy';
import { z } from 'zod';
import {
  AddVersionQuery,
  AddVersionResponse,
  DeleteVersionResponse,
  ProjectInfo,
  ProjectList,
  ProjectName,
  parseOr400,
  sanitizeVersion,
} from '@scrapyard/protocol';
import { inParams, needs } from '../../auth/access-rules.js';
import { projectsVisible } from '../../auth/access.js';
import { projectVisible } from '../../db/repos/project-filter.js';
import { projectNotFound } from '../../projects/project-errors.js';
import type { ProjectService } from '../../projects/project-service.js';
import { ApiError } from './api-error.js';
import { withCheckedAnswers } from './checked-answers.js';
import { apiErrorHandler } from './errors.js';

const ProjectParams = z.object({ project: ProjectName }).strict();
const VersionParams = z.object({ project: ProjectName, version: z.string().min(1).max(200) }).strict();

export async function projectRoutes(
  app: FastifyInstance,
  o: { projects: ProjectService; uploadLimitBytes: number },
): Promise<void> {
  app.setErrorHandler(apiErrorHandler);
  // Bodies as bytes, whatever their type: a raw egg, or a multipart form holding one.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const api = withCheckedAnswers(app);
  const visible = (req: FastifyRequest) => projectsVisible(req, 'read');

  api.get('/api/v1/projects', { schema: { response: { 200: ProjectList } }, config: needs('read') }, async (req) => {
    const v = visible(req);
    const names = (await o.projects.listProjects()).filter((p) => projectVisible(v, p));
    const infos = await Promise.all(names.map((p) => o.projects.describe(p)));
    return { projects: infos.filter((p) => p !== null) };
  });

  const one = { schema: { response: { 200: ProjectInfo } }, config: needs('read', inParams()) };
  api.get('/api/v1/projects/:project', one, async (req) => {
    const { project } = parseOr400(ProjectParams, req.params, 'path');
    const info = await o.projects.describe(project);
    if (!info) throw projectNotFound(project);
    return info;
  });

  const upload = {
    bodyLimit: o.uploadLimitBytes,
    schema: { response: { 201: AddVersionResponse } },
    config: needs('deploy', inParams()),
  };
  api.post('/api/v1/projects/:project/versions', upload, async (req, reply) => {
    const { project } = parseOr400(ProjectParams, req.params, 'path');
    const { version: inQuery } = parseOr400(AddVersionQuery, req.query, 'query');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const form = isMultipart(req) ? await eggForm(body, req.headers['content-type']!) : { egg: body };
    const version = inQuery ?? form.version;
    if (version === undefined) throw new ApiError('BAD_REQUEST', 'query.version: required (or a `version` form field)');
    if (!form.egg || form.egg.length === 0) {
      throw new ApiError('BAD_REQUEST', 'body: the egg is required (the raw body, or the `egg` part of a form)');
    }
    const { spiders } = await o.projects.addVersion(project, version, form.egg);
    return reply.code(201).send({ project, version: sanitizeVersion(version), spiders });
  });

  const del = { schema: { response: { 200: DeleteVersionResponse } }, config: needs('delete', inParams()) };
  api.delete('/api/v1/projects/:project/versions/:version', del, async (req) => {
    const { project, version } = parseOr400(VersionParams, req.params, 'path');
    const { projectGone } = await o.projects.deleteVersion(project, version);
    return { project, version, projectGone };
  });
}

const isMultipart = (req: FastifyRequest) => /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');

/** The `egg` file part and the `version` field of a multipart body (the last of each, as Twisted keeps). */
function eggForm(body: Buffer, contentType: string): Promise<{ egg?: Buffer; version?: string }> {
  return new Promise((resolve, reject) => {
    const out: { egg?: Buffer; version?: string } = {};
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { files: 4, fields: 16, parts: 20 } });
    } catch (e) {
      return reject(new ApiError('BAD_REQUEST', `body: ${e instanceof Error ? e.message : String(e)}`));
    }
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (name === 'egg') out.egg = Buffer.concat(chunks);
      });
    });
    parser.on('field', (name, value) => {
      if (name === 'version') out.version = value;
    });
    parser.on('error', (e: Error) =>
      reject(new ApiError('BAD_REQUEST', `body: malformed multipart form: ${e.message}`)),
    );
    parser.on('close', () => resolve(out));
    parser.end(body);
  });
}
