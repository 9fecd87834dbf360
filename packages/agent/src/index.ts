export { createAgent, AGENT_VERSION, type Agent } from './agent.js';
export { AgentConfigSchema, type AgentConfig, type AgentConfigInput } from './config.js';
export { CrawlIdentityError } from './runner/crawl-identity.js';
