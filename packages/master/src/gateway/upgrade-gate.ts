/**
 * What reaches the agent gateway's WebSocket server: the right path, our subprotocol, and no more unauthenticated
 * connections in flight than the cap (`max_pending_handshakes`), so a flood of idle sockets can't eat the master's
 * memory or file descriptors. A refused upgrade gets a JSON error and its socket is destroyed once the answer is
 * flushed: `end()` alone leaves it half-open for as long as the client keeps its side open, which would hold up a
 * clean stop of the master.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpStatusOf, type ErrorBody, type ErrorCode } from '@scrapyard/protocol';

export function refuseUpgrade(socket: Duplex, code: ErrorCode, message: string): void {
  const status = httpStatusOf(code);
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ].join('\r\n');
  socket.on('error', () => socket.destroy());
  socket.end(`${head}\r\n\r\n${body}`, () => socket.destroy());
}

/** Counts connections between upgrade and welcome; each slot is released exactly once. */
export class PendingHandshakes {
  #count = 0;

  constructor(readonly max: number) {}

  get count(): number {
    return this.#count;
  }

  /** A release function, or null when the cap is reached. */
  acquire(): (() => void) | null {
    if (this.#count >= this.max) return null;
    this.#count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#count--;
    };
  }
}
