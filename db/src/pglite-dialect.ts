import type { PGlite } from '@electric-sql/pglite';
import { PostgresDialect } from 'kysely';

/**
 * Kysely's PostgresDialect over one embedded PGlite instance. PGlite has a
 * single connection, so the "pool" hands it out to one borrower at a time:
 * a transaction therefore never interleaves with another caller's queries.
 */
export function pgliteDialect(pg: PGlite): PostgresDialect {
  let tail: Promise<void> = Promise.resolve();

  const client = {
    async query(sqlText: string, parameters: readonly unknown[]) {
      const result = await pg.query<Record<string, unknown>>(sqlText, parameters as unknown[]);
      const command = /^\s*(\w+)/.exec(sqlText)?.[1]?.toUpperCase();
      return { command, rowCount: result.affectedRows ?? 0, rows: result.rows };
    },
    release() {},
  };

  const pool = {
    async connect() {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => (release = resolve));
      await previous;
      return { ...client, release };
    },
    async end() {},
  };

  // The pg-style interfaces Kysely expects are structurally satisfied above.
  return new PostgresDialect({ pool: pool as never });
}
