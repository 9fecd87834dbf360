// Baseline of the `agents10k` bench: a bare `ws` server that holds the simulated agents' connections with the
// same traffic as the master (a challenge on connect, the master's proof for each identify, since the agents
// check it, a welcome for each hello, every frame parsed as JSON) and does nothing else: no authentication of the
// agents, no database, no validation. Plain Node (no tsx loader), so its memory is the floor any gateway pays for
// the same sockets.
//   BENCH_TEMPORARY_SECRET=… node --max-semi-space-size=4 bench/ws-baseline.mjs   prints {"port":N} once listening
import { Buffer } from 'node:buffer';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';

const PATH = '/agent/v1/ws';
const SUBPROTOCOL = 'scrapyard.v1';
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  path: PATH,
  maxPayload: 8 * 1024 * 1024,
  handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
});
// The stored key of the shared temporary-node secret (protocol handshake.ts), to prove the master's side.
const clientKey = createHmac('sha256', Buffer.from(process.env.BENCH_TEMPORARY_SECRET ?? '', 'utf8'))
  .update('scrapyard client key')
  .digest();
const storedKey = createHash('sha256').update(clientKey).digest();
let frames = 0;
wss.on('connection', (ws) => {
  const serverNonce = randomBytes(32).toString('hex');
  let nodeId = '';
  ws.send(
    JSON.stringify({ type: 'challenge', payload: { nonce: serverNonce, protocolVersion: 3, serverTime: Date.now() } }),
  );
  ws.on('message', (data) => {
    frames++;
    const env = JSON.parse(data.toString());
    if (env.type === 'identify') {
      nodeId = env.payload.nodeId;
      const proof = createHmac('sha256', storedKey)
        .update(`scrapyard-server.${serverNonce}.${env.payload.nonce}.${nodeId}`)
        .digest('hex');
      ws.send(JSON.stringify({ type: 'master.proof', payload: { proofs: [proof, randomBytes(32).toString('hex')] } }));
    } else if (env.type === 'hello') {
      ws.send(
        JSON.stringify({
          type: 'welcome',
          payload: {
            nodeId,
            sessionToken: randomBytes(32).toString('hex'),
            heartbeatIntervalMs: 5000,
            resume: [],
            cancel: [],
          },
        }),
      );
    }
  });
  ws.on('error', () => {});
});
wss.on('listening', () => process.stdout.write(`${JSON.stringify({ port: wss.address().port })}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
process.on('SIGUSR2', () => process.stderr.write(`frames ${frames}\n`));
