/**
 * A loopback TCP proxy a test controls, to play a network partition between an agent and its master.
 *
 * cut() behaves like an unplugged cable: bytes in flight on existing connections are held (not dropped) in both
 * directions, closes are held too, and new connections are accepted but go nowhere until restore(); then
 * everything held is delivered in order, as TCP retransmission would once the cable is back.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
  /** Connections accepted so far (for assertions). */
  accepted(): number;
}

type Held = Buffer | 'end' | 'destroy';

/** One direction of a connection: reads `from`, writes `to`, holding everything while the proxy is cut. */
class Pump {
  readonly held: Held[] = [];
  #blocked = false; // waiting for `to` to drain

  constructor(
    private readonly from: Socket,
    private readonly to: () => Socket | undefined,
    private readonly isCut: () => boolean,
  ) {
    from.on('data', (b: Buffer) => this.#push(b));
    from.on('end', () => this.#push('end'));
    from.on('close', () => this.#push('destroy'));
  }

  #push(h: Held): void {
    this.held.push(h);
    this.flush();
  }

  flush(): void {
    const to = this.to();
    if (this.isCut() || !to) {
      this.from.pause();
      return;
    }
    while (this.held.length > 0 && !this.#blocked) {
      const h = this.held.shift()!;
      if (h === 'end') to.end();
      else if (h === 'destroy') {
        // After a clean end the socket closes by itself once the other direction ends too; else it was reset.
        if (!to.writableEnded) to.destroy();
      } else if (!to.write(h)) {
        this.#blocked = true;
        this.from.pause();
        to.once('drain', () => {
          this.#blocked = false;
          this.flush();
        });
      }
    }
    if (!this.#blocked && !this.isCut()) this.from.resume();
  }
}

export async function startProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let cut = false;
  let count = 0;
  const sockets = new Set<Socket>();
  const pairs: { start: () => void; pumps: Pump[] }[] = [];

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    count++;
    sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => sockets.delete(client));
    let upstream: Socket | undefined;
    const pumps: Pump[] = [];
    const start = () => {
      // A client that gave up while held never reached the master (its SYN would not have either).
      if (upstream || client.destroyed) return;
      upstream = createConnection({ port: targetPort, host: targetHost, allowHalfOpen: true });
      sockets.add(upstream);
      upstream.on('error', () => undefined);
      const up = upstream;
      up.on('close', () => sockets.delete(up));
      pumps.push(
        new Pump(
          up,
          () => client,
          () => cut,
        ),
      );
      // The client's bytes held so far (its pump exists from the start) now have somewhere to go.
      for (const p of pumps) p.flush();
    };
    pumps.push(
      new Pump(
        client,
        () => upstream,
        () => cut,
      ),
    );
    pumps[0]!.flush(); // paused until there is an upstream
    const pair = { start, pumps };
    pairs.push(pair);
    if (!cut) start();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('proxy has no port');

  return {
    port: addr.port,
    accepted: () => count,
    cut() {
      cut = true;
      for (const p of pairs) for (const pump of p.pumps) pump.flush();
    },
    restore() {
      cut = false;
      for (const p of pairs) {
        p.start();
        for (const pump of p.pumps) pump.flush();
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
