/**
 * The eleven Scrapyd JSON endpoints: the action each needs (auth/roles.ts; the project is the `project`
 * parameter), how each reads its parameters (in the order the spec checks them) and which service operation
 * answers it.
 */
import { PATH_COMPONENT_MAX, Tag } from '@scrapyard/protocol';
import { allText, firstText, requireText, firstBytes, ParamError, type Params } from '../../scrapyd/form.js';
import { parsePythonFloat, pythonFloatErrorMessage } from '../../scrapyd/py-float.js';
import type { ProjectFilter } from '../../db/repos/project-filter.js';
import type { Action } from '../../auth/roles.js';
import type { ScrapydService } from './scrapyd-service.js';
import type { Method } from './reply.js';

export interface EndpointContext {
  service: ScrapydService;
  maxScheduleParams: number;
}

export interface Endpoint {
  method: Method;
  /** What the caller needs (auth/roles.ts), on the project the request names. */
  action: Action;
  /** `visible`: the projects the caller may read (auth/access.ts projectsVisible); reads show nothing of the others. */
  handle(params: Params, ctx: EndpointContext, visible: ProjectFilter): Promise<Record<string, unknown>>;
}

/**
 * Names (project, spider, job, version) become lookups, cache keys and paths. An oversized one is refused here,
 * before anything is looked up, and is not echoed back (a 1 MB name would otherwise come back in the error).
 */
function bounded(key: string, value: string): string {
  if (value.length > PATH_COMPONENT_MAX) {
    throw new ParamError(`${key} is invalid: longer than ${PATH_COMPONENT_MAX} characters`);
  }
  // No stored name holds a NUL (names are path components, D5), and PostgreSQL text could not even look one
  // up: refused as any other name that is not a path component, on every store (D9).
  if (value.includes('\u0000')) throw new ParamError(`DirectoryTraversalError: ${value}`);
  return value;
}

/** Spider arguments and settings reach the crawl's argv, which cannot carry a NUL (D9). */
function withoutNul(what: string, pairs: [string, string][]): [string, string][] {
  if (pairs.some(([k, v]) => k.includes('\u0000') || v.includes('\u0000'))) {
    throw new ParamError(`${what} are invalid: a NUL character cannot be passed to a crawl`);
  }
  return pairs;
}
const requireName = (p: Params, key: string) => bounded(key, requireText(p, key));
const optionalName = (p: Params, key: string) => {
  const v = firstText(p, key);
  return v === undefined ? v : bounded(key, v);
};

/** Parameters schedule.json consumes itself; every other one is a spider argument (first value only). */
const SCHEDULE_RESERVED = new Set(['project', 'spider', '_version', 'jobid', 'priority', 'setting', '_tags']);

/** `_tags=a,b` (commas or spaces): the tags an agent must all have to run the job. */
function parseTags(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const tags = raw.split(/[\s,]+/).filter(Boolean);
  for (const t of tags) {
    if (!Tag.safeParse(t).success) {
      throw new ParamError(`_tags is invalid: '${t}' is not a tag (letters, digits, '_', '.', ':', '-'; at most 63)`);
    }
  }
  if (tags.length > 32) throw new ParamError('_tags is invalid: at most 32 tags');
  return tags;
}

function parseSettings(values: string[]): [string, string][] {
  return values.map((kv) => {
    const i = kv.indexOf('=');
    // Python's dict(x.split('=', 1) …) error, which clients may show verbatim.
    if (i < 0) throw new ParamError('ValueError: dictionary update sequence element #0 has length 1; 2 is required');
    return [kv.slice(0, i), kv.slice(i + 1)];
  });
}

export const ENDPOINTS: Record<string, Endpoint> = {
  'daemonstatus.json': { method: 'GET', action: 'read', handle: (_p, c, v) => c.service.daemonStatus(v) },
  'addversion.json': {
    method: 'POST',
    action: 'deploy',
    handle(p, c) {
      const project = requireName(p, 'project');
      const version = requireName(p, 'version');
      const egg = firstBytes(p, 'egg');
      if (egg === undefined) throw new ParamError("'egg' parameter is required");
      return c.service.addVersion(project, version, egg);
    },
  },
  'schedule.json': {
    method: 'POST',
    action: 'schedule',
    handle(p, c) {
      const project = requireName(p, 'project');
      const spider = requireName(p, 'spider');
      const version = optionalName(p, '_version');
      const jobId = optionalName(p, 'jobid');
      const tags = parseTags(firstText(p, '_tags'));
      // Scrapyd calls float() on the raw bytes, so a non-UTF-8 priority gets float's message, not a decode error.
      const priorityBytes = firstBytes(p, 'priority');
      let priority = 0;
      if (priorityBytes !== undefined) {
        const parsed = parsePythonFloat(priorityBytes);
        if (parsed === null) throw new ParamError(`priority is invalid: ${pythonFloatErrorMessage(priorityBytes)}`);
        priority = parsed;
      }
      const settingValues = allText(p, 'setting');
      if (settingValues.length > c.maxScheduleParams) {
        throw new ParamError(
          `setting is invalid: ${settingValues.length} values, at most ${c.maxScheduleParams} are accepted`,
        );
      }
      const settings = withoutNul('settings', parseSettings(settingValues));
      const args: [string, string][] = [];
      for (const key of p.keys()) {
        if (SCHEDULE_RESERVED.has(key)) continue;
        args.push([key, firstText(p, key)!]);
      }
      if (args.length > c.maxScheduleParams) {
        throw new ParamError(
          `arguments are invalid: ${args.length} spider arguments, at most ${c.maxScheduleParams} are accepted`,
        );
      }
      withoutNul('spider arguments', args);
      return c.service.schedule({ project, spider, version, jobId, priority, settings, args, tags });
    },
  },
  'status.json': {
    method: 'GET',
    action: 'read',
    handle(p, c, v) {
      const job = requireName(p, 'job');
      return c.service.status(job, optionalName(p, 'project'), v);
    },
  },
  'cancel.json': {
    method: 'POST',
    action: 'cancel',
    handle(p, c) {
      const project = requireName(p, 'project');
      const job = requireName(p, 'job');
      return c.service.cancel(project, job, firstText(p, 'signal'));
    },
  },
  'listprojects.json': { method: 'GET', action: 'read', handle: (_p, c, v) => c.service.listProjects(v) },
  'listversions.json': {
    method: 'GET',
    action: 'read',
    handle: (p, c, v) => c.service.listVersions(requireName(p, 'project'), v),
  },
  'listspiders.json': {
    method: 'GET',
    action: 'read',
    handle(p, c, v) {
      const project = requireName(p, 'project');
      return c.service.listSpiders(project, optionalName(p, '_version'), v);
    },
  },
  'listjobs.json': {
    method: 'GET',
    action: 'read',
    handle: (p, c, v) => c.service.listJobs(optionalName(p, 'project'), v),
  },
  'delversion.json': {
    method: 'POST',
    action: 'delete',
    handle(p, c) {
      const project = requireName(p, 'project');
      const version = requireName(p, 'version');
      return c.service.delVersion(project, version);
    },
  },
  'delproject.json': {
    method: 'POST',
    action: 'delete',
    handle: (p, c) => c.service.delProject(requireName(p, 'project')),
  },
};
