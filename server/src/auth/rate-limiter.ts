import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowSeconds: number;
}

/** The largest count the integer column holds. */
const MAX_HITS = 2 ** 31 - 1;

export interface RateDecision {
  allowed: boolean;
  hits: number;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters kept in the database, so that several server
 * processes share them. One statement counts the hit and starts a new window
 * when the old one has passed; concurrent hits serialise on the row.
 */
export class RateLimiter {
  private lastSweep = 0;

  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Counts `cost` units (1 for a request; kB or megapixels for a budget) and
   * says whether the window's total is still within the limit. The count
   * saturates at the integer column's maximum, so a client far over its
   * budget is refused, not answered with a database error.
   */
  async hit(key: string, limit: Limit, cost = 1): Promise<RateDecision> {
    const units = Math.min(MAX_HITS, Math.max(0, Math.ceil(cost)));
    const row = await sql<{ hits: number; window_start: Date }>`
      INSERT INTO rate_limits (key, window_start, hits) VALUES (${key}, now(), ${units}::integer)
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${limit.windowSeconds}) THEN ${units}::integer
                    ELSE LEAST(rate_limits.hits::bigint + ${units}::integer, ${MAX_HITS})::integer END,
        window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${limit.windowSeconds}) THEN now() ELSE rate_limits.window_start END
      RETURNING hits, window_start`.execute(this.db);
    const { hits, window_start } = row.rows[0] as { hits: number; window_start: Date };
    await this.sweep();
    const endsAt = new Date(window_start).getTime() + limit.windowSeconds * 1000;
    return { allowed: hits <= limit.max, hits, retryAfterSeconds: Math.max(1, Math.ceil((endsAt - Date.now()) / 1000)) };
  }

  /** Forget a key's count (a successful login clears the failures of that username). */
  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', key).execute();
  }

  /** Old windows are deleted now and then, not on every hit. */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < 60_000) return;
    this.lastSweep = Date.now();
    await this.db.deleteFrom('rate_limits').where('window_start', '<', sql<Date>`now() - interval '1 day'`).execute();
  }
}
