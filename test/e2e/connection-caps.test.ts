/**
 * The HTTP port caps its open connections, per remote address (`max_connections_per_ip`) and in total
 * (`max_connections`): a connection over a cap is closed as it arrives, the ones already open stay usable, and
 * closing one lets a new one in. Loopback only: 127.0.0.1 and 127.0.0.2 are two remote addresses.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { startMaster } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

/** A raw keep-alive HTTP/1.1 connection that counts the answers it got. */
class Conn {
  #buf = '';
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (b: Buffer) => (this.#buf += b.toString('latin1')));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static open(port: number, from: string): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, localAddress: from });
      s.once('connect', () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  get answers(): number {
    return this.#buf.split('HTTP/1.1 200 OK').length - 1;
  }

  /** 'ok' when the master answered a request on this connection, 'closed' when it closed it instead. */
  async get(): Promise<'ok' | 'closed'> {
    const before = this.answers;
    if (!this.closed) this.socket.write('GET /daemonstatus.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    return waitFor(() => (this.answers > before ? 'ok' : this.closed ? 'closed' : undefined), {
      what: 'an answer or the connection closed',
      timeoutMs: 15_000,
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A new connection from `from` that gets an answer (retried while the master still counts a closed one). */
async function admitted(port: number, from: string): Promise<Conn> {
  return waitFor(
    async () => {
      const c = await Conn.open(port, from);
      if ((await c.get()) === 'ok') return c;
      c.close();
      return undefined;
    },
    { what: `a connection from ${from} to be let in` },
  );
}

void test('max_connections_per_ip: connection N+1 from one address is closed, others and later ones get in', async (t) => {
  const master = await startMaster(t, {
    args: ['--no-local-agent'],
    env: { SCRAPYARD_MAX_CONNECTIONS_PER_IP: '3' },
  });
  const conns: Conn[] = [];
  t.after(() => conns.forEach((c) => c.close()));
  for (let i = 0; i < 3; i++) {
    const c = await Conn.open(master.port, '127.0.0.1');
    conns.push(c);
    assert.equal(await c.get(), 'ok', `connection ${i + 1}`);
  }
  const fourth = await Conn.open(master.port, '127.0.0.1');
  conns.push(fourth);
  assert.equal(await fourth.get(), 'closed', 'the fourth connection from 127.0.0.1 is closed');
  for (const c of conns.slice(0, 3)) assert.equal(await c.get(), 'ok', 'the first three stay usable');
  const other = await Conn.open(master.port, '127.0.0.2');
  conns.push(other);
  assert.equal(await other.get(), 'ok', 'another address has its own allowance');
  conns[0]!.close();
  conns.push(await admitted(master.port, '127.0.0.1'));
  assert.match(master.output(), /connection refused: over the connection cap/);
});

void test('max_connections: connection N+1 from any address is closed until one closes', async (t) => {
  const master = await startMaster(t, {
    args: ['--no-local-agent'],
    env: { SCRAPYARD_MAX_CONNECTIONS: '3', SCRAPYARD_MAX_CONNECTIONS_PER_IP: '0' },
  });
  const conns: Conn[] = [];
  t.after(() => conns.forEach((c) => c.close()));
  for (const from of ['127.0.0.1', '127.0.0.2', '127.0.0.1']) {
    const c = await Conn.open(master.port, from);
    conns.push(c);
    assert.equal(await c.get(), 'ok', `a connection from ${from}`);
  }
  const fourth = await Conn.open(master.port, '127.0.0.3');
  conns.push(fourth);
  assert.equal(await fourth.get(), 'closed', 'a fourth connection is closed, whatever its address');
  for (const c of conns.slice(0, 3)) assert.equal(await c.get(), 'ok', 'the first three stay usable');
  conns[1]!.close();
  conns.push(await admitted(master.port, '127.0.0.3'));
});
