/** The calls of the jobs pages: the list, one job with its stats and metrics, submit and cancel. */
import type {
  CancelJobResponse,
  JobDetail,
  JobInfo,
  JobMetricSample,
  JobPage,
  JobStatsResponse,
  ProjectList,
  SubmitJobRequest,
} from '@scrapyard/protocol';
import { api } from './client.js';
import { ApiError, errorFromAnswer } from './errors.js';

const jobPath = (id: string, tail = '') => `jobs/${encodeURIComponent(id)}${tail}`;
const inProject = (project: string | undefined) => (project ? `?project=${encodeURIComponent(project)}` : '');

export const listJobs = (query: string) => api.get<JobPage>(`jobs?${query}`);
export const getJob = (id: string, project?: string) => api.get<JobDetail>(jobPath(id, inProject(project)));
export const getJobStats = (id: string, project?: string) =>
  api.get<JobStatsResponse>(jobPath(id, `/stats${inProject(project)}`));
export const getJobMetrics = (id: string, project?: string) =>
  api.get<{ samples: JobMetricSample[] }>(jobPath(id, `/metrics${inProject(project)}`));
export const submitJob = (body: SubmitJobRequest) => api.post<JobInfo>('jobs', body);
export const cancelJob = (id: string, project: string) =>
  api.post<CancelJobResponse>(jobPath(id, '/cancel'), { project });
export const listProjects = () => api.get<ProjectList>('projects');

/** Bytes of an items feed read for its preview: a few dozen items of any reasonable size. */
export const ITEMS_PREVIEW_BYTES = 64 * 1024;

/**
 * The start of a job's items feed from the master's /items/ tree (Scrapyd's layout), by a byte range so a feed of
 * any size costs one small read. `complete`: the range reached the end of the file. Null: no feed is stored.
 */
export async function itemsHead(project: string, spider: string, jobId: string) {
  const path = [project, spider, `${jobId}.jl`].map(encodeURIComponent).join('/');
  let res: Response;
  try {
    res = await fetch(`/items/${path}`, {
      headers: { range: `bytes=0-${ITEMS_PREVIEW_BYTES - 1}` },
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK_ERROR', `the master did not answer (${e instanceof Error ? e.message : e})`);
  }
  if (res.status === 404) return null;
  // An empty feed has no byte to range over.
  if (res.status === 416) return { text: '', complete: true };
  const text = await res.text();
  if (!res.ok) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    throw errorFromAnswer(res.status, body);
  }
  const total = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1];
  return { text, complete: res.status === 200 || Number(total) <= ITEMS_PREVIEW_BYTES };
}
