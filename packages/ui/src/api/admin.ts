/** The admin's calls: users and their grants and sessions, every token, the audit log. */
import type {
  ApiToken,
  AuditPage,
  BrowserSessionList,
  CreateTokenRequest,
  CreateUserRequest,
  GrantRequest,
  ProjectList,
  RevokeRequest,
  UserList,
  UserResponse,
} from '@scrapyard/protocol';
import { api } from './client.js';

const user = (id: string) => `users/${encodeURIComponent(id)}`;

export const listUsers = () => api.get<UserList>('users');
export const getUser = (id: string) => api.get<UserResponse>(user(id));
export const createUser = (body: CreateUserRequest) => api.post<UserResponse>('users', body);
export const setPassword = (id: string, password: string) =>
  api.post<UserResponse>(`${user(id)}/password`, { password });
export const grantRole = (id: string, body: GrantRequest) => api.post<UserResponse>(`${user(id)}/grant`, body);
export const revokeRole = (id: string, body: RevokeRequest) => api.post<UserResponse>(`${user(id)}/revoke`, body);
export const setDisabled = (id: string, disabled: boolean) =>
  api.post<UserResponse>(`${user(id)}/${disabled ? 'disable' : 'enable'}`);
export const deleteUser = (id: string) => api.delete(user(id));
/** Everyone's open browser sessions. */
export const allSessions = () => api.get<BrowserSessionList>('sessions');
export const userSessions = (id: string) => api.get<BrowserSessionList>(`${user(id)}/sessions`);

export const listProjects = () => api.get<ProjectList>('projects');

/** As an admin: every token (service accounts', everyone's, the config's metrics token). */
export const listAllTokens = () => api.get<{ tokens: ApiToken[] }>('tokens');
export const createServiceToken = (body: Omit<CreateTokenRequest, 'serviceAccount'>) =>
  api.post<{ token: ApiToken; secret: string }>('tokens', { ...body, serviceAccount: true });

export const auditPage = (path: string) => api.get<AuditPage>(path);
