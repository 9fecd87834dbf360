/** Bumped on any breaking change to the WebSocket catalog; checked in the handshake. */
export const PROTOCOL_VERSION = 3;
/** WebSocket subprotocol both sides announce, so a stray client is refused at upgrade. */
export const WS_SUBPROTOCOL = 'scrapyard.v1';
/** Path of the agent gateway on the master. */
export const AGENT_WS_PATH = '/agent/v1/ws';
/** Path prefix of agent-facing HTTP (egg downloads). */
export const AGENT_HTTP_PREFIX = '/agent/v1';
