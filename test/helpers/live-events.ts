/**
 * A reader of the master's live event stream (GET /api/v1/events): opens it with the given credentials (and a
 * Last-Event-ID), collects every message as it arrives, and waits on what it has seen.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { open, sseEvents, type SseEvent } from './http.js';
import { waitFor } from './wait.js';

export interface LiveMessage {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

export class LiveReader {
  readonly messages: LiveMessage[] = [];
  ended = false;
  #res: IncomingMessage | undefined;

  private constructor(readonly status: number) {}

  /** Opens a stream; `headers` carry the credentials (and `last-event-id` to resume). */
  static async open(url: string, headers: Record<string, string>, query = ''): Promise<LiveReader> {
    const res = await open(`${url}/api/v1/events${query}`, {
      headers: { accept: 'text/event-stream', ...headers },
      timeoutMs: 600_000,
    });
    const reader = new LiveReader(res.statusCode ?? 0);
    reader.#res = res;
    if (res.statusCode !== 200) {
      res.resume();
      reader.ended = true;
      return reader;
    }
    void (async () => {
      try {
        for await (const ev of sseEvents(res)) reader.messages.push(parse(ev));
      } catch {
        // a cut connection ends the reader like a closed one
      }
      reader.ended = true;
    })();
    return reader;
  }

  /** The domain events received (control messages left out). */
  events(): LiveMessage[] {
    return this.messages.filter((m) => !['ready', 'reset', 'end'].includes(m.event));
  }

  lastId(): string {
    const id = this.messages.at(-1)?.id;
    assert.ok(id !== undefined, 'the stream gave an id');
    return id;
  }

  /** Waits for a message matching `pred`; returns it. */
  async waitFor(what: string, pred: (m: LiveMessage) => boolean, timeoutMs = 90_000): Promise<LiveMessage> {
    return waitFor(() => this.messages.find(pred), { what, timeoutMs });
  }

  async waitEnded(what: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.ended, { what, timeoutMs });
  }

  close(): void {
    this.#res?.destroy();
  }
}

function parse(ev: SseEvent): LiveMessage {
  return { event: ev.event, id: ev.id, data: JSON.parse(ev.data) as Record<string, unknown> };
}

/** Whether a message is a job event of that job. */
export const ofJob = (jobId: string, type?: string) => (m: LiveMessage) =>
  m.data.jobId === jobId && (type === undefined || m.event === type);
