export { buildApp, type MasterApp, type MasterExtensions } from './app.js';
export { loadMasterConfig, MasterConfigSchema, ConfigError, type MasterConfig } from './config.js';
export { startStandalone, type RunningMaster } from './standalone.js';
