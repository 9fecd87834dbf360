/**
 * The partition proxy used by the cluster tests holds bytes (and closes) while cut and delivers them, in order,
 * once restored, for existing connections and for connections opened during the cut.
 */
import assert from 'node:assert/strict';
import { createConnection, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait.js';

/** A client socket and everything it has received. */
async function connect(port: number): Promise<{ socket: Socket; got: () => string; closed: () => boolean }> {
  const socket = createConnection({ port, host: '127.0.0.1' });
  let got = '';
  let closed = false;
  socket.on('data', (b: Buffer) => (got += b.toString()));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, got: () => got, closed: () => closed };
}

void test('tcp proxy: cut holds traffic both ways, restore delivers it in order', async (t) => {
  const serverSockets: Socket[] = [];
  const received: string[] = [];
  // Echo server that also records what it received per connection.
  const server = createServer((s) => {
    serverSockets.push(s);
    const i = received.push('') - 1;
    s.on('data', (b: Buffer) => {
      received[i] += b.toString();
      s.write(b.toString().toUpperCase());
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const proxy = await startProxy(port);
  t.after(() => proxy.close());

  const a = await connect(proxy.port);
  a.socket.write('one');
  await waitFor(() => a.got() === 'ONE', { what: 'echo through the proxy', timeoutMs: 5_000 });

  proxy.cut();
  a.socket.write('two');
  // The server side pushes data towards the client during the cut: held too.
  serverSockets[0]!.write('|push|');
  const b = await connect(proxy.port); // accepted, but goes nowhere
  b.socket.write('three');
  await sleep(500);
  assert.equal(a.got(), 'ONE', 'nothing crosses while cut (server → client)');
  assert.equal(received[0], 'one', 'nothing crosses while cut (client → server)');
  assert.equal(received.length, 1, 'a connection opened during the cut has not reached the server');
  assert.equal(b.got(), '');

  proxy.restore();
  await waitFor(() => a.got() === 'ONE|push|TWO', { what: 'held bytes delivered in order', timeoutMs: 5_000 });
  await waitFor(() => b.got() === 'THREE', { what: 'held connection delivered', timeoutMs: 5_000 });
  assert.deepEqual(received, ['onetwo', 'three']);
  assert.equal(proxy.accepted(), 2);

  // A close on the server side during a cut reaches the client only after restore.
  proxy.cut();
  serverSockets[0]!.end('bye');
  await sleep(300);
  assert.equal(a.closed(), false, 'the close is held');
  assert.equal(a.got(), 'ONE|push|TWO');
  proxy.restore();
  await waitFor(() => a.got().endsWith('bye'), { what: 'data before the close', timeoutMs: 5_000 });
  a.socket.end();
  await waitFor(() => a.closed(), { what: 'the close after restore', timeoutMs: 5_000 });
  b.socket.destroy();
});
