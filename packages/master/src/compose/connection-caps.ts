/**
 * Caps on the TCP connections of the HTTP(S) port, total and per remote address (`max_connections`,
 * `max_connections_per_ip`): a client that opens sockets and never finishes a request would otherwise hold file
 * descriptors until the master can accept nothing else. A connection over a cap is closed as it arrives, before
 * a byte of it is read; the connections already open are untouched. Agents' WebSockets count too.
 */
import type { Server } from 'node:net';
import type { Logger } from 'pino';

/** How often a refusal is logged at most (a flood must not flood the log too). */
const LOG_EVERY_MS = 10_000;

export function capConnections(
  server: Server,
  o: { max: number; perAddress: number; logger: Logger; now?: () => number },
): void {
  const now = o.now ?? Date.now;
  let refused = 0;
  let loggedAt = -Infinity;
  const note = (reason: string, address: string) => {
    refused++;
    if (now() - loggedAt < LOG_EVERY_MS) return;
    loggedAt = now();
    o.logger.warn({ reason, address, refusedSinceLastLog: refused }, 'connection refused: over the connection cap');
    refused = 0;
  };
  // Node closes connections past maxConnections itself (and says so with 'drop').
  server.maxConnections = o.max;
  server.on('drop', (d) => note(`max_connections = ${o.max}`, d?.remoteAddress ?? 'unknown'));
  if (o.perAddress === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/i, '');
    const n = open.get(address) ?? 0;
    if (n >= o.perAddress) {
      socket.destroy();
      note(`max_connections_per_ip = ${o.perAddress}`, address);
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
