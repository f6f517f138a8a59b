import type { AuthUser, SessionInfo } from '../auth/session.service.ts';
import type { Bounds } from './geo-bounds.ts';
import type { Logger } from './logger.ts';

/** Hono context variables set by our middleware. */
export interface Env {
  Variables: {
    requestId: string;
    logger: Logger;
    /** The client's address (the socket's, or the proxy's X-Forwarded-For when trusted). */
    ip: string;
    /** Set by the auth middleware when the request carries a live session. */
    user: AuthUser | undefined;
    session: SessionInfo | undefined;
    /** Where geometry may lie (geo-bounds.ts), looked up when a route asks. */
    bounds: (() => Promise<Bounds>) | undefined;
  };
}
