/** What the dashboard reads besides the nodes (api/nodes.ts): the overview and the lists it shows. */
import type { AlertPage, JobPage, Overview } from '@scrapyard/protocol';
import { api } from './client.js';

export const getOverview = (tz: string) => api.get<Overview>(`overview?${new URLSearchParams({ tz })}`);
export const listRunningJobs = () => api.get<JobPage>('jobs?state=running&limit=100');
/** The last finished jobs, for the recent failures among them. */
export const listFinishedJobs = () => api.get<JobPage>('jobs?state=finished&limit=100');
export const listFiringAlerts = () => api.get<AlertPage>('alerts?state=firing&limit=20');
