import type { Logger } from './logger.ts';

/** Hono context variables set by our middleware. */
export interface Env {
  Variables: {
    requestId: string;
    logger: Logger;
  };
}
