import { postgisVersion } from '@civgrid/db';
import { Hono } from 'hono';
import { errorBody } from '../../http/errors.ts';
import type { Env } from '../../http/env.ts';
import type { Services } from '../../deps.ts';

/** `instance`: this process's name among several behind a proxy (CIVGRID_INSTANCE), said only when configured. */
export function healthRoutes({ database }: Services, instance?: string) {
  const named = instance ? { instance } : {};
  return new Hono<Env>().get('/', async (c) => {
    try {
      const postgis = await withTimeout(postgisVersion(database.db), 5_000);
      return c.json({ status: 'ok' as const, engine: database.engine, postgis, ...named });
    } catch (error) {
      c.get('logger').warn('health check failed', { requestId: c.get('requestId'), error: String(error) });
      return c.json({ ...errorBody('database_unavailable', 'The database cannot be reached.'), status: 'unavailable' as const, engine: database.engine, ...named }, 503);
    }
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
