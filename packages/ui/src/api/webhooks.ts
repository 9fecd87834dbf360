/** The webhook routes the project page calls (/api/v1/webhooks, docs/webhooks.md). */
import type {
  CreateWebhookRequest,
  Delivery,
  DeliveryPage,
  UpdateWebhookRequest,
  WebhookList,
  WebhookWithSecret,
} from '@scrapyard/protocol';
import { api } from './client.js';

const one = (id: string) => `webhooks/${encodeURIComponent(id)}`;

export const listWebhooks = () => api.get<WebhookList>('webhooks');
export const createWebhook = (body: CreateWebhookRequest) => api.post<WebhookWithSecret>('webhooks', body);
export const updateWebhook = (id: string, body: UpdateWebhookRequest) => api.patch<WebhookWithSecret>(one(id), body);
export const deleteWebhook = (id: string) => api.delete(one(id));
export const testWebhook = (id: string) => api.post<{ delivery: Delivery }>(`${one(id)}/test`);
export const webhookDeliveries = (id: string) => api.get<DeliveryPage>(`${one(id)}/deliveries?limit=50`);
