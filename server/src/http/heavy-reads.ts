import type { MiddlewareHandler } from 'hono';
import type { Env } from './env.ts';
import { errorBody } from './errors.ts';
import { Semaphore, type TurnLimits } from './semaphore.ts';

export { Semaphore };

/** Heavy reads running at once, waiting for a turn, and how long one waits (ms). */
export type HeavyReadLimits = Required<TurnLimits>;

/**
 * On the embedded engine every query goes through one connection: a second
 * heavy read running beside the first only doubles the queue the light ones
 * wait in. PostgreSQL has a pool of ten: three heavy reads leave the rest to
 * everyone else. The queue holds what a few users' screens ask at once (the
 * blind-spot panel sends up to four analyses and a summary together).
 */
export const HEAVY_READ_LIMITS: Record<'embedded' | 'postgres', HeavyReadLimits> = {
  embedded: { concurrent: 1, queued: 16, waitMs: 20_000 },
  postgres: { concurrent: 3, queued: 24, waitMs: 20_000 },
};

/** Seconds a refused client is told to wait before asking again. */
const RETRY_AFTER_S = 10;

/**
 * Reads whose cost grows with the data (coverage analyses, hot spots,
 * exports) take turns: a few run at once, a few more wait briefly, the rest
 * are told 503 with Retry-After. One user's heavy reads cannot then hold the
 * database while everyone else's map and lists wait.
 */
export function heavyReads(semaphore: Semaphore): MiddlewareHandler<Env> {
  return async (c, next) => {
    const release = await semaphore.acquire();
    if (!release) {
      c.header('retry-after', String(RETRY_AFTER_S));
      return c.json(errorBody('busy', 'The server is busy with other analyses. Try again in a few seconds.'), 503);
    }
    try {
      await next();
    } finally {
      release();
    }
  };
}
