import type { MiddlewareHandler } from 'hono';
import type { Env } from './env.ts';
import { errorBody } from './errors.ts';

export interface HeavyReadLimits {
  /** Heavy reads running at once. */
  concurrent: number;
  /** Heavy reads waiting for a turn; one more is refused at once. */
  queued: number;
  /** How long one waits for its turn before it is refused (ms). */
  waitMs: number;
}

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

/** Counts turns: at most `concurrent` held, the rest wait in order. */
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: HeavyReadLimits) {}

  /** Resolves to a release function, or to null when the queue is full or the wait ran out. */
  acquire(): Promise<(() => void) | null> {
    if (this.running < this.limits.concurrent) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.limits.queued) return Promise.resolve(null);
    return new Promise((resolve) => {
      const turn = () => {
        clearTimeout(timer);
        this.running++;
        resolve(this.releaser());
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(turn);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(null);
      }, this.limits.waitMs);
      this.waiting.push(turn);
    });
  }

  get state() {
    return { running: this.running, waiting: this.waiting.length };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.waiting.shift()?.();
    };
  }
}

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
