/**
 * WebSocket upgrades the gateway does not take: over `max_pending_handshakes` unauthenticated connections in
 * flight the upgrade is answered 503 with a JSON error (welcomed agents don't count); and a refused upgrade's socket
 * is closed by the master, so a client that keeps its side open can't hold up a clean stop.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { AGENT_WS_PATH, WS_SUBPROTOCOL } from '@scrapyard/protocol';
import { startMaster } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

/** The answer to an upgrade request that is not switched to a WebSocket: status and body. */
function refusedUpgrade(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: AGENT_WS_PATH,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
        'sec-websocket-protocol': WS_SUBPROTOCOL,
      },
      timeout: 15_000,
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('the upgrade was accepted'));
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer to the upgrade')));
    req.on('error', reject);
    req.end();
  });
}

/** A client that upgrades, receives the challenge, then says nothing (an unauthenticated connection in flight). */
function idlePeer(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, WS_SUBPROTOCOL);
    ws.once('message', () => resolve(ws));
    ws.on('error', reject);
  });
}

void test('unauthenticated upgrades in flight are capped: 503 with a JSON error over the cap', async (t) => {
  const master = await startMaster(t, { env: { SCRAPYARD_MAX_PENDING_HANDSHAKES: '2' } });
  const url = `${master.url.replace('http', 'ws')}${AGENT_WS_PATH}`;
  // The embedded agent is connected (welcomed): it holds none of the two places.
  const idle = [await idlePeer(url), await idlePeer(url)];
  const over = await refusedUpgrade(master.port);
  assert.equal(over.status, 503);
  const body = JSON.parse(over.body) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'OVERLOADED');
  assert.match(body.error.message, /max_pending_handshakes = 2/);
  // A place frees when a pending connection goes.
  idle[0]!.terminate();
  const again = await waitFor(() => idlePeer(url).catch(() => undefined), { what: 'a freed handshake place' });
  again.terminate();
  idle[1]!.terminate();
  // The master's log reaches this process through a pipe, not in step with the HTTP answer: wait for the line.
  await waitFor(() => /agent upgrades refused: too many handshakes in progress/.test(master.output()), {
    what: 'the refusal in the master log',
  });
  // The embedded agent never lost its session.
  assert.doesNotMatch(master.output(), /agent disconnected/);
});

void test('a refused upgrade is closed by the master even if the client keeps its side open', async (t) => {
  const master = await startMaster(t, { args: ['--no-local-agent'] });
  const sockets: Socket[] = [];
  // Wrong path, then our path without the subprotocol: each answered with a JSON error.
  for (const [path, protocol, status, code] of [
    ['/not-the-gateway', WS_SUBPROTOCOL, 404, 'NOT_FOUND'],
    [AGENT_WS_PATH, '', 400, 'BAD_REQUEST'],
  ] as const) {
    // allowHalfOpen: we never end our side, as a slow or hostile client would not.
    const socket = connect({ host: '127.0.0.1', port: master.port, allowHalfOpen: true });
    sockets.push(socket);
    let answer = '';
    socket.on('data', (b: Buffer) => (answer += b.toString()));
    socket.write(
      [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${master.port}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}`,
        ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
        '',
        '',
      ].join('\r\n'),
    );
    await waitFor(() => socket.readableEnded, { what: `the answer to an upgrade of ${path}` });
    assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `));
    assert.match(answer, new RegExp(`"error":\\{"code":"${code}"`));
  }
  // Both clients still hold their side open: the master must not wait for them to stop.
  const stopped = await Promise.race([
    master.stop(),
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000).unref()),
  ]);
  for (const s of sockets) s.destroy(); // (lets a hung master finish, so a failure here doesn't hang the run)
  assert.equal(stopped, 0, 'the master stopped cleanly without waiting on half-open sockets');
});
