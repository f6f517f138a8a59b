import { sql } from 'kysely';
import { exec, json, rows, type Tx } from './sql-helpers.ts';

/**
 * The demo's inspection rounds (issue 8): the fourth-quarter assessment of
 * the civilised city in two rounds weighted 0.4 and 0.6, each over all 165
 * points with 18 groups (第1组…第18组; one district reported 18). The demo
 * `inspector` account leads 第1组 in both rounds.
 *
 * Points go to groups by SQL: ST_ClusterKMeans into 18 clusters, the clusters
 * in reading order (north to south in rows of five, west to east), the points
 * in that order cut into 18 runs of 9 or 10 (ntile), so that every group has
 * its share and its points lie together. The visiting order and the routes
 * are left to the server, which computes them along the roads on the first
 * request for the routes (the automatic assignment of the API balances
 * better; this is the starting state a planner finds).
 */
export const DEMO_ROUNDS = [
  { name: '2026年第四季度文明城市测评 第一轮', startsOn: '2026-11-02', endsOn: '2026-11-13', weight: 0.4, status: 'active' },
  { name: '2026年第四季度文明城市测评 第二轮', startsOn: '2026-12-01', endsOn: '2026-12-11', weight: 0.6, status: 'planning' },
] as const;

export const DEMO_GROUPS = 18;

/** The same line colours as the server gives new groups (server/src/services/inspection-round.service.ts). */
const COLORS = [
  '#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#0e9fb8', '#f032e6', '#9a6324', '#469990',
  '#800000', '#808000', '#000075', '#c9a800', '#6b8e23', '#d45087', '#5a5a5a', '#bc8f8f', '#2e8b57',
];

export async function seedInspection(db: Tx): Promise<{ rounds: number; groups: number }> {
  const rounds = await rows(db, sql<{ id: number }>`
    INSERT INTO inspection_rounds (name, starts_on, ends_on, weight, status, created_by)
    SELECT r.name, r.starts_on::date, r.ends_on::date, r.weight, r.status, 'seed'
    FROM json_to_recordset(${json(DEMO_ROUNDS.map((r, i) => ({ ...r, starts_on: r.startsOn, ends_on: r.endsOn, ord: i })))})
      AS r(name text, starts_on text, ends_on text, weight float8, status text, ord int)
    ORDER BY r.ord
    RETURNING id`);
  const groups = Array.from({ length: DEMO_GROUPS }, (_, i) => ({ n: i + 1, name: `第${i + 1}组`, color: COLORS[i % COLORS.length] }));
  for (const round of rounds) {
    await exec(db, sql`
      INSERT INTO inspection_groups (round_id, name, color, sort, leader_user_id)
      SELECT ${round.id}, g.name, g.color, g.n, CASE WHEN g.n = 1 THEN (SELECT id FROM users WHERE username = 'inspector') END
      FROM json_to_recordset(${json(groups)}) AS g(n int, name text, color text)
      ORDER BY g.n`);
    await exec(db, sql`
      INSERT INTO inspection_group_members (group_id, user_id)
      SELECT g.id, u.id FROM inspection_groups g, users u
      WHERE g.round_id = ${round.id} AND g.sort = 1 AND u.username = 'inspector'`);
  }
  await exec(db, sql`
    CREATE TEMP TABLE seed_point_groups ON COMMIT DROP AS
    WITH k AS (
      SELECT id, geom, ST_ClusterKMeans(geom, ${DEMO_GROUPS}) OVER () AS c FROM inspection_points),
    centres AS (
      SELECT c, ST_Centroid(ST_Collect(geom)) AS g FROM k GROUP BY c),
    rowed AS (
      SELECT c, g, (row_number() OVER (ORDER BY ST_Y(g) DESC, c) - 1) / 5 AS r FROM centres),
    reading AS (
      SELECT c, row_number() OVER (ORDER BY r, ST_X(g), c) AS n FROM rowed)
    SELECT k.id AS point_id, ntile(${DEMO_GROUPS}) OVER (ORDER BY reading.n, ST_X(k.geom), k.id) AS n
    FROM k JOIN reading ON reading.c = k.c`);
  await exec(db, sql`
    INSERT INTO inspection_round_points (round_id, point_id, group_id)
    SELECT g.round_id, s.point_id, g.id
    FROM seed_point_groups s JOIN inspection_groups g ON g.sort = s.n
    ORDER BY g.round_id, s.point_id`);
  return { rounds: rounds.length, groups: rounds.length * DEMO_GROUPS };
}
