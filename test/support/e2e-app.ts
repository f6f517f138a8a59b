import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import { freshDatabase } from './database.ts';
import { stopServer } from './stop-server.ts';

export const webRoot = resolve(import.meta.dirname, '../../web/dist');

/** A browser test file's server: its own clone of the template, the built web app, a free port. */
export interface E2eApp {
  database: Database;
  baseUrl: string;
  /** Stops the server (open connections included) and drops the clone. */
  stop(): Promise<void>;
}

/**
 * Boots what a browser test file needs, the way most of them still spell out
 * by hand: checks the web build exists, clones the database, serves the app.
 */
export async function startE2eApp(options: Omit<Parameters<typeof createApp>[0], 'database' | 'webRoot'> = {}): Promise<E2eApp> {
  if (!existsSync(resolve(webRoot, 'index.html'))) {
    throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
  }
  const database = await freshDatabase();
  const app = createApp({ ...options, database, webRoot });
  const server = await new Promise<ReturnType<typeof serve>>((done) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
  });
  return {
    database,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await stopServer(server);
      await database.close();
    },
  };
}
