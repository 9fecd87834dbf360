/** Values both sides must agree on. SPEC.md lists where each one is used. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** Heartbeat intervals of silence after which the agent treats the master as unreachable and redials. */
export const HEARTBEAT_MISS_THRESHOLD = 3;
/** Largest WebSocket frame either side accepts. Log chunks are split below this. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Largest log/items chunk the agent ships in one message (raw bytes, before base64). */
export const LOG_CHUNK_MAX_BYTES = 1024 * 1024;
/** How long the handshake may take before the master drops the socket. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * Runs a hello may list (`running`, and `known`): an agent holds at most its slots' runs plus the finished ones
 * not yet acknowledged; the master reconciles each one it is told about, so the list is bounded.
 */
export const HELLO_MAX_RUNS = 10_000;
/** Largest clock difference accepted between the agent's handshake timestamp and the master's clock. */
export const HANDSHAKE_MAX_SKEW_MS = 5 * 60_000;
