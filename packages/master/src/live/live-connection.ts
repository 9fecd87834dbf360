/**
 * One client's stream: what it may see (its filter, recomputed when its principal's access changes) and a bounded
 * send queue. The socket's own buffer is the queue: a frame that would take it past `maxQueuedBytes` means the client
 * can't keep up, so it gets `reset` (it reloads its view and resumes from the reset's id) and the stream closes
 * rather than buffering without bound.
 */
import type { LiveEnd } from '@scrapyard/protocol';
import { endFrame, resetFrame } from './sse-frames.js';
import type { ViewerFilter } from './viewer-filter.js';

/** What a connection writes to (a hijacked `ServerResponse`). */
export interface StreamSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  end(): void;
  destroy(): void;
}

/** How long a closed stream's last frames may take to leave before its socket is cut. */
const LINGER_MS = 10_000;

export class LiveConnection {
  #closed = false;

  constructor(
    private readonly sink: StreamSink,
    public filter: ViewerFilter,
    private readonly o: { maxQueuedBytes: number; headId: () => string; onClose: (c: LiveConnection) => void },
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues a frame; past the bound, `reset` and close instead. */
  send(frame: string): void {
    if (this.#closed) return;
    if (this.sink.writableLength + frame.length > this.o.maxQueuedBytes) {
      this.close(resetFrame(this.o.headId(), { reason: 'too-slow' }));
      return;
    }
    this.sink.write(frame);
  }

  /** Whether `bytes` more would still fit the queue (a replay that would not is a `reset` instead). */
  fits(bytes: number): boolean {
    return this.sink.writableLength + bytes <= this.o.maxQueuedBytes;
  }

  /** The stream is over for good (its access is gone): the client must not reconnect. */
  end(reason: LiveEnd['reason']): void {
    this.close(endFrame(this.o.headId(), { reason }));
  }

  /** Closes (idempotent), after a last frame if given; a client that never reads it is cut after a while. */
  close(last?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.o.onClose(this);
    if (last !== undefined) this.sink.write(last);
    this.sink.end();
    if (this.sink.writableLength > 0) setTimeout(() => this.sink.destroy(), LINGER_MS).unref();
  }
}
