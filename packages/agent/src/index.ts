export { createAgent, AGENT_VERSION, type Agent } from './agent.js';
export { AgentConfigSchema, type AgentConfig, type AgentConfigInput } from './config.js';
export { CrawlIdentityError } from './runner/crawl-identity.js';
export { PassthroughName } from './runner/safe-env.js';
export { onStopSignals, SIGNAL_WINDOW_MS } from './stop-signals.js';
