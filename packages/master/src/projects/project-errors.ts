/**
 * What the project core refuses, in our own words, with the facts as details. The Scrapyd adapter says each in
 * Scrapyd's text (routes/scrapyd/scrapyd-error.ts); the REST API answers them as they are.
 */
import { CatalogueError } from '@scrapyard/protocol';

/** Which request field a name came from (`project`, `spider`, `jobid`, `version`). */
export type NameField = 'project' | 'spider' | 'jobid' | 'version';

export const projectNotFound = (project: string) =>
  new CatalogueError('PROJECT_NOT_FOUND', `project '${project}' not found`, { project });

export const versionNotFound = (project: string, version: string) =>
  new CatalogueError('VERSION_NOT_FOUND', `version '${version}' not found`, { project, version });

export const spiderNotFound = (project: string, spider: string) =>
  new CatalogueError('SPIDER_NOT_FOUND', `spider '${spider}' not found`, { project, spider });

/** A name that can't be a path component (deviation D5): `rule: 'path_component'`. */
export const unsafeName = (field: NameField, value: string) =>
  new CatalogueError(
    'BAD_REQUEST',
    `${field} is invalid: ${JSON.stringify(value)} can't name a file (no '/', '\\', '..', control characters or leading '-')`,
    { rule: 'path_component', field, value },
  );

export const emptyVersion = () =>
  new CatalogueError('BAD_REQUEST', 'version is invalid: must not be empty', { rule: 'not_empty', field: 'version' });

/** No agent can run `scrapy list` for the project. */
export const noAgentToList = (project: string) =>
  new CatalogueError('NO_AGENT', 'no agent is online to run scrapy list (start one, or wait for it to reconnect)', {
    project,
  });

/** `scrapy list` failed on the agent (or its request did); `error` is what it said. */
export const listFailed = (project: string, version: string | null, error: string) =>
  new CatalogueError('RUNNER_ERROR', `scrapy list failed for project '${project}': ${error}`, {
    project,
    version,
    error,
  });
