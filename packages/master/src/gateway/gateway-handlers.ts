/** What the gateway calls into: the job side (agent-events.ts) and node administration implement these. */
import type { Heartbeat, Hello, JobEvents, JobStats, LogChunk, Welcome } from '@scrapyard/protocol';
import type { AgentSession } from '../registry/agent-session.js';

export interface GatewayHandlers {
  /** Called after authentication, before the session is announced; returns what goes into WELCOME. */
  prepareWelcome(session: AgentSession, hello: Hello): Promise<Pick<Welcome, 'resume' | 'cancel'>>;
  onEvents(session: AgentSession, msg: JobEvents): Promise<number>;
  onLogChunk(session: AgentSession, chunk: LogChunk): Promise<void>;
  onHeartbeat(session: AgentSession, hb: Heartbeat): void;
  /** A crawl's live Scrapy stats (not acknowledged: the agent re-sends the latest after a reconnect). */
  onStats?(session: AgentSession, msg: JobStats): Promise<void>;
}

/** Called once a hello is authenticated, before WELCOME (e.g. to record the node, or finish a key rotation). */
export type OnAuthenticated = (session: AgentSession, o: { rotated: boolean }) => Promise<void>;
