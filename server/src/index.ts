export { createApp, type App } from './app.ts';
export type { AppDeps } from './deps.ts';
export { loadConfig, type Config } from './config.ts';
export { createLogger, silentLogger, type Logger } from './http/logger.ts';
export type { ErrorBody } from './http/errors.ts';
