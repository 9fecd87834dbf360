/** The calls about oneself: log in and out, who am I, my browser sessions, my API tokens. */
import type { ApiToken, BrowserSessionList, CreateTokenRequest, LoginRequest, SessionWho } from '@scrapyard/protocol';
import { api } from './client.js';

export const login = (body: LoginRequest) => api.post<SessionWho>('session', body, { expectUnauthorized: true });
export const whoAmI = () => api.get<SessionWho>('session', { expectUnauthorized: true });
export const logout = () => api.delete('session', { expectUnauthorized: true });

/** One's own sessions (an admin asking without `user` would get everyone's). */
export const listSessions = (userId: string) =>
  api.get<BrowserSessionList>(`sessions?user=${encodeURIComponent(userId)}`);
export const revokeSession = (id: string) => api.delete(`sessions/${encodeURIComponent(id)}`);

export const listTokens = () => api.get<{ tokens: ApiToken[] }>('tokens');
export const createToken = (body: CreateTokenRequest) => api.post<{ token: ApiToken; secret: string }>('tokens', body);
export const revokeToken = (id: string) => api.delete<{ token: ApiToken }>(`tokens/${encodeURIComponent(id)}`);
