import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';

export const BENCH_DUTY = 'bench-duty';
export const BENCH_DISTRICT_CODE = '980000';

/**
 * A synthetic district of 10,000 unit grids (0.001° ≈ 96 m × 111 m, about
 * 10,700 m² each, like the national unit grid) and 2,000 zones of five grids
 * each, owned by 50 organisations; some zones shrink (gaps), some grow
 * (overlaps), some shift by 1e-9° (slivers). Idempotent.
 */
export async function ensureCoverageFixture(db: Kysely<DB>): Promise<number> {
  const existing = await db.selectFrom('territories').select('id').where('code', '=', BENCH_DISTRICT_CODE).executeTakeFirst();
  if (existing) return existing.id;
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO territories (level, code, name, geom)
      VALUES ('district', ${BENCH_DISTRICT_CODE}, '基准测试区', ST_Multi(ST_MakeEnvelope(100, 30, 100.1, 30.1, 4326)))
      RETURNING id`.execute(trx);
    const districtId = rows[0]!.id;
    await sql`
      INSERT INTO territories (level, code, name, parent_id, geom)
      SELECT 'grid', ${BENCH_DISTRICT_CODE} || lpad((r * 100 + c + 1)::text, 9, '0'), '单元网格' || (r * 100 + c + 1), ${districtId},
             ST_Multi(ST_MakeEnvelope(100 + c * 0.001, 30.1 - (r + 1) * 0.001, 100 + (c + 1) * 0.001, 30.1 - r * 0.001, 4326))
      FROM generate_series(0, 99) r, generate_series(0, 99) c`.execute(trx);
    await sql`INSERT INTO duty_types (id, name_zh, name_en) VALUES (${BENCH_DUTY}, '基准测试责任', 'Benchmark duty')`.execute(trx);
    await sql`
      INSERT INTO organisations (name, kind)
      SELECT '基准单位' || i, 'other' FROM generate_series(1, 50) i`.execute(trx);
    await sql`
      WITH owners AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM organisations WHERE name LIKE '基准单位%'),
      cells AS (
        SELECT r, s, r * 20 + s AS n,
               100 + s * 0.005 AS x0, 30.1 - (r + 1) * 0.001 AS y0, 100 + (s + 1) * 0.005 AS x1, 30.1 - r * 0.001 AS y1
        FROM generate_series(0, 99) r, generate_series(0, 19) s
      )
      INSERT INTO zones (duty_type_id, name, owner_org_id, geom)
      SELECT ${BENCH_DUTY}, '基准责任区' || (n + 1), o.id,
             ST_Multi(CASE
               WHEN n % 37 = 0 THEN ST_MakeEnvelope(x0, y0, x1 - 0.001, y1, 4326)          -- shrinks: a gap
               WHEN n % 41 = 0 THEN ST_MakeEnvelope(x0, y0, x1 + 0.0005, y1, 4326)         -- grows: an overlap
               WHEN n % 53 = 0 THEN ST_MakeEnvelope(x0 + 1e-9, y0, x1, y1, 4326)           -- shifts: a sliver
               ELSE ST_MakeEnvelope(x0, y0, x1, y1, 4326) END)
      FROM cells JOIN owners o ON o.k = cells.n % 50`.execute(trx);
    return districtId;
  });
}
