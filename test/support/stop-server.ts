import type { Server } from 'node:http';
import type { serve } from '@hono/node-server';

/**
 * Stops a test file's server without waiting on the browser: `close()` alone
 * waits for every open connection to end, and a request still in flight when
 * the file's contexts close (a tile, a long analysis) kept one afterAll
 * waiting until its 240 s timeout (CI, PostgreSQL, screens-a).
 */
export async function stopServer(server: ReturnType<typeof serve> | undefined): Promise<void> {
  if (!server) return;
  const closed = new Promise<void>((done) => server.close(() => done()));
  (server as Server).closeAllConnections?.();
  await closed;
}
