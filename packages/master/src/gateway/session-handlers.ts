/**
 * What an authenticated agent may say, as one typed handler map over the protocol catalog (the handshake's own
 * messages are the connection's business, not a session's). Payloads are validated by handleMessage before any
 * handler sees them.
 */
import { AgentToMaster, validateMessage, type HandlerMap } from '@scrapyard/protocol';
import type { AgentSession } from '../registry/agent-session.js';
import type { GatewayHandlers } from './gateway-handlers.js';

export type SessionMessageType = Exclude<keyof AgentToMaster & string, 'identify' | 'hello'>;

const SESSION_TYPES: ReadonlySet<string> = new Set<SessionMessageType>([
  'heartbeat',
  'job.events',
  'log.chunk',
  'job.stats',
]);

export function isSessionMessage(type: keyof AgentToMaster & string): type is SessionMessageType {
  return SESSION_TYPES.has(type);
}

export function sessionHandlers(h: GatewayHandlers): HandlerMap<AgentToMaster, AgentSession, SessionMessageType> {
  return {
    heartbeat: (hb, session) => h.onHeartbeat(session, hb),
    'job.events': async (msg, session) => {
      const upToSeq = await h.onEvents(session, msg);
      session.send('events.ack', { upToSeq });
    },
    'log.chunk': (chunk, session) => h.onLogChunk(session, chunk),
    'job.stats': async (msg, session) => {
      await h.onStats?.(session, msg);
    },
  };
}

/**
 * One session message, validated, to its handler; its result as the handler returns it (none of these messages
 * has a reply), so a synchronous handler costs no promise (protocol's handleMessage always makes one).
 */
export function runSessionMessage(
  handlers: HandlerMap<AgentToMaster, AgentSession, SessionMessageType>,
  type: SessionMessageType,
  payload: unknown,
  session: AgentSession,
): Promise<void> | undefined {
  const handler = handlers[type] as (payload: unknown, session: AgentSession) => void | Promise<void>;
  return handler(validateMessage(AgentToMaster, type, payload), session) ?? undefined;
}
