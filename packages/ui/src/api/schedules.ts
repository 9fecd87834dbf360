/** The schedule routes the pages call (/api/v1/schedules, packages/master/API.md "Schedules"). */
import type {
  CreateScheduleRequest,
  FireTime,
  PreviewScheduleRequest,
  ProjectList,
  Schedule,
  ScheduleFire,
} from '@scrapyard/protocol';
import { api } from './client.js';
import type { PreviewAnswer } from '../pages/schedules/cron-preview.js';

const one = (id: string) => `schedules/${encodeURIComponent(id)}`;

export const listSchedules = () => api.get<{ schedules: Schedule[] }>('schedules');
export const getSchedule = (id: string) => api.get<Schedule>(one(id));
export const createSchedule = (body: CreateScheduleRequest) => api.post<Schedule>('schedules', body);
export const updateSchedule = (id: string, body: CreateScheduleRequest) => api.patch<Schedule>(one(id), body);
export const deleteSchedule = (id: string) => api.delete(one(id));
export const pauseSchedule = (id: string) => api.post<Schedule>(`${one(id)}/pause`);
export const resumeSchedule = (id: string) => api.post<Schedule>(`${one(id)}/resume`);
export const runSchedule = (id: string) => api.post<{ fire: ScheduleFire }>(`${one(id)}/run`);
export const nextFires = (id: string, count = 5) =>
  api.get<{ timezone: string; fires: FireTime[] }>(`${one(id)}/next?count=${count}`);
export const listFires = (id: string, before?: number) =>
  api.get<{ fires: ScheduleFire[]; nextCursor: number | null }>(
    `${one(id)}/fires?limit=50${before === undefined ? '' : `&before=${before}`}`,
  );
export const previewFires = (body: PreviewScheduleRequest) => api.post<PreviewAnswer>('schedules/preview', body);
export const listProjects = () => api.get<ProjectList>('projects');
