export { buildApp, type MasterApp, type MasterExtensions } from './app.js';
export { loadMasterConfig, ConfigError } from './config-load.js';
export { MasterConfigSchema, type MasterConfig } from './config.js';
export { startStandalone, type RunningMaster } from './standalone.js';
