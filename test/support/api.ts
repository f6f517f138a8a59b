import type { Database } from '@civgrid/db';
import { createApp } from '@civgrid/server';

export type TestApp = ReturnType<typeof createApp>;

/** The app over a test database, without a web root (API only). */
export function testApp(database: Database): TestApp {
  return createApp({ database, webRoot: '/nonexistent-web-root' });
}

/** Asserts our one error shape and returns it. */
export async function errorOf(res: Response): Promise<{ code: string; message: string; details?: unknown }> {
  const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
  if (!body.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body: ${JSON.stringify(body)}`);
  }
  return body.error as { code: string; message: string };
}
