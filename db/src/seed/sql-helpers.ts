import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB } from '../schema.ts';

/**
 * Small helpers for the seed's SQL. Rows travel to the database as one JSON
 * parameter per statement (`json_to_recordset`), so a batch of thousands of
 * rows is a single bound parameter on both engines.
 */
export type Tx = Kysely<DB>;

/** Precision grid for all generated geometry: 1e-7° ≈ 1 cm, so that shared edges are bit-identical. */
export const GRID = sql.raw('(1e-7)::float8');

/** A JSON parameter: `${json(rows)}` inside a sql template. */
export function json(value: unknown): RawBuilder<unknown> {
  return sql`(${JSON.stringify(value)}::text)::json`;
}

/** Run `run` over `rows` in slices of `size`. */
export async function inBatches<T>(rows: readonly T[], size: number, run: (batch: T[], offset: number) => Promise<void>): Promise<void> {
  for (let offset = 0; offset < rows.length; offset += size) {
    await run(rows.slice(offset, offset + size), offset);
  }
}

/** Rows of a query typed by the caller. */
export async function rows<T>(db: Tx, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

export async function exec(db: Tx, query: RawBuilder<unknown>): Promise<void> {
  await query.execute(db);
}

/**
 * `ST_Multi(ST_CollectionExtract(…, 3))` on an expression: keep the polygonal
 * part of an overlay result as a MultiPolygon (an overlay may return lines or
 * points where shapes only touch).
 */
export function polygonal(expression: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`ST_Multi(ST_CollectionExtract(${expression}, 3))`;
}

/**
 * Run `write` without the foreign-key checks (and other triggers) of the
 * tables it fills, when the role may switch them off (a superuser: the
 * embedded engine always, PostgreSQL as its owner). For the seed's bulk rows,
 * whose references hold by construction: on the embedded engine the checks
 * cost about a quarter of writing 138,706 problem events. Inside a
 * transaction (SET LOCAL); the checks are back on when `write` returns.
 */
export async function withoutReferenceChecks(db: Tx, write: () => Promise<void>): Promise<void> {
  const [role] = await rows(db, sql<{ superuser: string }>`SELECT current_setting('is_superuser') AS superuser`);
  if (role?.superuser !== 'on') return write();
  await exec(db, sql`SET LOCAL session_replication_role = replica`);
  try {
    await write();
  } finally {
    await exec(db, sql`SET LOCAL session_replication_role = origin`);
  }
}
