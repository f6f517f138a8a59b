import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import type { Logger } from '../http/logger.ts';

/** How long a stored idempotent answer is kept: longer than any phone stays offline in practice. */
export const IDEMPOTENCY_DAYS = 30;

/** Deletes ended sessions, old idempotency keys and rate-limit windows; returns how many of each. */
export async function sweep(db: Kysely<DB>): Promise<{ sessions: number; idempotencyKeys: number; rateLimits: number }> {
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<', sql<Date>`now()`).executeTakeFirst();
  const keys = await db.deleteFrom('idempotency_keys').where('created_at', '<', sql<Date>`now() - make_interval(days => ${IDEMPOTENCY_DAYS})`).executeTakeFirst();
  const limits = await db.deleteFrom('rate_limits').where('window_start', '<', sql<Date>`now() - interval '1 day'`).executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), idempotencyKeys: Number(keys.numDeletedRows), rateLimits: Number(limits.numDeletedRows) };
}

/** Sweeps now and every hour; the timer does not keep the process alive. */
export function startHousekeeping(db: Kysely<DB>, logger: Logger): () => void {
  const run = () =>
    sweep(db)
      .then((n) => (n.sessions || n.idempotencyKeys || n.rateLimits) && logger.info('housekeeping', n))
      .catch((error: unknown) => logger.warn('housekeeping failed', { error: String(error) }));
  void run();
  const timer = setInterval(run, 3600_000);
  timer.unref();
  return () => clearInterval(timer);
}
