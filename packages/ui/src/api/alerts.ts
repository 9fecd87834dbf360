/** The alert, rule and channel routes the page calls (docs/alerts.md, docs/webhooks.md). */
import type {
  Alert,
  AlertRule,
  Channel,
  ChannelWithSecret,
  CreateAlertRuleRequest,
  CreateChannelRequest,
  Delivery,
  DeliveryPage,
  UpdateChannelRequest,
} from '@scrapyard/protocol';
import { api } from './client.js';

const rule = (id: string) => `alert-rules/${encodeURIComponent(id)}`;
const alert = (id: string) => `alerts/${encodeURIComponent(id)}`;
const channel = (id: string) => `channels/${encodeURIComponent(id)}`;

export const listRules = () => api.get<{ rules: AlertRule[] }>('alert-rules');
export const createRule = (body: CreateAlertRuleRequest) => api.post<{ rule: AlertRule }>('alert-rules', body);
export const updateRule = (id: string, body: CreateAlertRuleRequest) => api.patch<{ rule: AlertRule }>(rule(id), body);
export const deleteRule = (id: string) => api.delete(rule(id));
export const muteRule = (id: string, seconds: number) => api.post(`${rule(id)}/mute`, { seconds });
export const unmuteRule = (id: string) => api.post(`${rule(id)}/unmute`);

export const listAlerts = (state: 'active' | 'resolved', limit = 50) =>
  api.get<{ alerts: Alert[] }>(`alerts?state=${state}&limit=${limit}`);
export const muteAlert = (id: string, seconds: number) => api.post(`${alert(id)}/mute`, { seconds });
export const unmuteAlert = (id: string) => api.post(`${alert(id)}/unmute`);

export const listChannels = () => api.get<{ channels: Channel[] }>('channels');
export const createChannel = (body: CreateChannelRequest) => api.post<ChannelWithSecret>('channels', body);
export const updateChannel = (id: string, body: UpdateChannelRequest) =>
  api.patch<ChannelWithSecret>(channel(id), body);
export const deleteChannel = (id: string) => api.delete(channel(id));
export const testChannel = (id: string) => api.post<{ delivery: Delivery }>(`${channel(id)}/test`);
export const channelDeliveries = (id: string) => api.get<DeliveryPage>(`${channel(id)}/deliveries?limit=50`);
