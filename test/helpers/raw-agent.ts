/**
 * A raw agent-protocol peer for gateway tests: it speaks the handshake frame by frame (challenge → identify →
 * master.proof → hello → welcome), so a test can answer any step with a forged, replayed or out-of-order frame.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, WS_SUBPROTOCOL, handshakeProof } from '@scrapyard/protocol';

export interface RawFrame {
  type: string;
  id?: number;
  payload: Record<string, unknown>;
}

export interface RawOutcome {
  frames: RawFrame[];
  /** `welcome`, the code of a `rejected`, or `closed:<code>` when the socket closed without a verdict. */
  verdict: string;
  closeCode: number | null;
  /** Open when the test asked to keep a welcomed session (`keepOpen`); closed otherwise. */
  ws: WebSocket;
}

/** What the peer sends at each step: a frame object, raw text, or nothing (wait). */
export type RawAnswer = Record<string, unknown> | string | undefined;

export interface RawScript {
  onChallenge(serverNonce: string): RawAnswer;
  onProof?(proofs: string[], serverNonce: string): RawAnswer;
  /** Keep the socket open after welcome (the caller closes it). */
  keepOpen?: boolean;
}

/** How long a raw peer waits for the gateway's verdict: a gateway that never answers fails the test, not CI. */
export const PEER_TIMEOUT_MS = 15_000;

export function rawSession(url: string, script: RawScript): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, WS_SUBPROTOCOL);
    const frames: RawFrame[] = [];
    let verdict: string | undefined;
    let done = false;
    const finish = (closeCode: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ frames, verdict: verdict ?? `closed:${closeCode}`, closeCode, ws });
    };
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`the gateway gave no verdict within ${PEER_TIMEOUT_MS} ms; frames: ${JSON.stringify(frames)}`));
    }, PEER_TIMEOUT_MS);
    const send = (a: RawAnswer) => {
      if (a !== undefined) ws.send(typeof a === 'string' ? a : JSON.stringify(a));
    };
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as RawFrame;
      frames.push(f);
      if (f.type === 'challenge') send(script.onChallenge(String(f.payload.nonce)));
      else if (f.type === 'master.proof') {
        const challenge = frames.find((x) => x.type === 'challenge');
        send(script.onProof?.(f.payload.proofs as string[], String(challenge?.payload.nonce)));
      } else if (f.type === 'welcome') {
        verdict = 'welcome';
        if (script.keepOpen) finish(null);
        else ws.close(1000);
      } else if (f.type === 'rejected') verdict = String(f.payload.code);
    });
    ws.on('close', (code) => finish(code));
    ws.on('error', (e) => {
      if (done) return;
      clearTimeout(timer);
      reject(e);
    });
  });
}

export const identifyFrame = (nodeId: string, clientNonce: string, over: Record<string, unknown> = {}) => ({
  type: 'identify',
  payload: { nodeId, protocolVersion: PROTOCOL_VERSION, temporary: false, nonce: clientNonce, ...over },
});

export interface HelloInput {
  secret: Buffer;
  nodeId: string;
  serverNonce: string;
  clientNonce: string;
  timestamp?: number;
  over?: Record<string, unknown>;
}

export function helloFrame(h: HelloInput) {
  const timestamp = h.timestamp ?? Date.now();
  return {
    type: 'hello',
    payload: {
      agentVersion: 'test',
      timestamp,
      mac: handshakeProof(h.secret, h.serverNonce, h.clientNonce, h.nodeId, timestamp),
      hostname: 'raw-peer',
      slots: 1,
      tags: [],
      running: [],
      known: [],
      ...h.over,
    },
  };
}

/** The whole handshake as a well-behaved agent holding `secret` would do it (with optional overrides). */
export function rawHandshake(
  url: string,
  o: {
    nodeId: string;
    secret: Buffer;
    temporary?: boolean;
    identify?: Record<string, unknown>;
    hello?: Record<string, unknown>;
    keepOpen?: boolean;
  },
): Promise<RawOutcome> {
  const clientNonce = randomBytes(32).toString('hex');
  return rawSession(url, {
    keepOpen: o.keepOpen,
    onChallenge: () => identifyFrame(o.nodeId, clientNonce, { temporary: o.temporary ?? false, ...o.identify }),
    onProof: (_proofs, serverNonce) =>
      helloFrame({ secret: o.secret, nodeId: o.nodeId, serverNonce, clientNonce, over: o.hello }),
  });
}
