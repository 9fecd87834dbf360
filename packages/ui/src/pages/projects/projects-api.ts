/** The calls the project and spider pages make (docs/ui-data.md, docs/cluster.md). */
import type {
  AddVersionResponse,
  DeleteVersionResponse,
  JobPage,
  JobStatsResponse,
  PlacementPolicy,
  ProjectInfo,
  ProjectList,
  Schedule,
  SpiderBaseline,
} from '@scrapyard/protocol';
import { api } from '../../api/client.js';
import { uploadFile } from '../../api/upload.js';

const e = encodeURIComponent;
const policyPath = (project: string, spider?: string) =>
  `projects/${e(project)}${spider === undefined ? '' : `/spiders/${e(spider)}`}/policy`;

export const listProjects = () => api.get<ProjectList>('projects');
export const getProject = (project: string) => api.get<ProjectInfo>(`projects/${e(project)}`);

export const uploadEgg = (
  project: string,
  version: string,
  egg: Blob,
  progress: (sent: number, total: number) => void,
) => uploadFile<AddVersionResponse>(`projects/${e(project)}/versions?version=${e(version)}`, egg, progress);
export const deleteVersion = (project: string, version: string) =>
  api.delete<DeleteVersionResponse>(`projects/${e(project)}/versions/${e(version)}`);

export const getPolicy = (project: string, spider?: string) => api.get<PlacementPolicy>(policyPath(project, spider));
export const putPolicy = (project: string, policy: PlacementPolicy, spider?: string) =>
  api.put<PlacementPolicy>(policyPath(project, spider), policy);
export const deletePolicy = (project: string, spider?: string) => api.delete(policyPath(project, spider));

export const listSchedules = () => api.get<{ schedules: Schedule[] }>('schedules');

/** The spider's newest finished runs (the job list, its index on project, spider). */
export const lastRuns = (project: string, spider: string, limit: number) =>
  api.get<JobPage>(`jobs?project=${e(project)}&spider=${e(spider)}&state=finished&limit=${limit}`);
export const spiderBaseline = (project: string, spider: string, runs = 5) =>
  api.get<SpiderBaseline>(`projects/${e(project)}/spiders/${e(spider)}/baseline?runs=${runs}`);
export const jobStats = (jobId: string, project: string) =>
  api.get<JobStatsResponse>(`jobs/${e(jobId)}/stats?project=${e(project)}`);
