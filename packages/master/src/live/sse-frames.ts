/** The stream's messages as text/event-stream frames (JSON never holds a raw newline, so one `data:` line each). */
import type { LiveEnd, LiveReady, LiveReset } from '@scrapyard/protocol';

export function sseFrame(id: string, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A message without an id: the client's resume point stays where it was (protocol TRANSIENT_LIVE_TYPES). */
export function transientFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const readyFrame = (id: string, data: LiveReady) => sseFrame(id, 'ready', data);
export const resetFrame = (id: string, data: LiveReset) => sseFrame(id, 'reset', data);
export const endFrame = (id: string, data: LiveEnd) => sseFrame(id, 'end', data);
export const KEEPALIVE = ': keepalive\n\n';
