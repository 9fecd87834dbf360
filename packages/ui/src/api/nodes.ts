/** What the nodes pages read and do (through the one API client; the writes need admin). */
import type {
  CreateEnrollmentRequest,
  EnrollmentResponse,
  JobPage,
  NodeInfo,
  NodeList,
  NodeMetrics,
} from '@scrapyard/protocol';
import { api } from './client.js';

const node = (id: string) => `nodes/${encodeURIComponent(id)}`;

export const listNodes = () => api.get<NodeList>('nodes');
export const getNode = (id: string) => api.get<NodeInfo>(node(id));
export const getNodeMetrics = (id: string, query: string) => api.get<NodeMetrics>(`${node(id)}/metrics?${query}`);
export const listNodeRunningJobs = (id: string) =>
  api.get<JobPage>(`jobs?${new URLSearchParams({ state: 'running', nodeId: id, limit: '100' })}`);

export type NodeAction = 'cordon' | 'uncordon' | 'revoke' | 'rotate';
export const nodeAction = (id: string, action: NodeAction) => api.post<NodeInfo>(`${node(id)}/${action}`);

export const createEnrollment = (body: Partial<CreateEnrollmentRequest>) =>
  api.post<EnrollmentResponse>('nodes/enrollments', body);
