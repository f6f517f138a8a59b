import { sql } from 'kysely';
import { routeColor } from '../route-colors.ts';
import type { Rng } from './random.ts';
import { addDays, type DemoRound, demoRounds, weekdays } from './timeline.ts';
import { exec, json, rows, type Tx } from './sql-helpers.ts';

/**
 * The demo's inspection rounds (issue 8), dated around the anchor day
 * (timeline.ts): the current round of a two-round assessment weighted 0.4
 * and 0.6, each over all 165 points with 18 groups (第1组…第18组; one
 * district reported 18), and a finished round two months earlier. The demo
 * `inspector` account leads 第1组 in the current and the next round.
 *
 * Points go to groups by SQL: ST_ClusterKMeans into 18 clusters, the clusters
 * in reading order (north to south in rows of five, west to east), the points
 * in that order cut into 18 runs of 9 or 10 (ntile), so that every group has
 * its share and its points lie together. The visiting order and the routes
 * are left to the server, which computes them along the roads on the first
 * request for the routes (the automatic assignment of the API balances
 * better; this is the starting state a planner finds).
 */
export const DEMO_GROUPS = 18;

/** How a seeded check item turned out: most pass, some fail, a few fail seriously. */
const RESULT_ODDS = { pass: 0.87, fail: 0.11, serious: 0.02 } as const;


export async function seedInspection(db: Tx, rng: Rng, anchor: string): Promise<{ rounds: number; groups: number; checks: number }> {
  const plan = demoRounds(anchor);
  const rounds = await rows(db, sql<{ id: number }>`
    INSERT INTO inspection_rounds (name, starts_on, ends_on, weight, status, created_by)
    SELECT r.name, r.starts_on::date, r.ends_on::date, r.weight, r.status, 'seed'
    FROM json_to_recordset(${json([plan.current, plan.next, plan.finished].map((r, i) => ({ ...r, starts_on: r.startsOn, ends_on: r.endsOn, ord: i })))})
      AS r(name text, starts_on text, ends_on text, weight float8, status text, ord int)
    ORDER BY r.ord
    RETURNING id`);
  const groups = Array.from({ length: DEMO_GROUPS }, (_, i) => ({ n: i + 1, name: `第${i + 1}组`, color: routeColor(i) }));
  for (const round of rounds) {
    await exec(db, sql`
      INSERT INTO inspection_groups (round_id, name, color, sort, leader_user_id)
      SELECT ${round.id}, g.name, g.color, g.n, CASE WHEN g.n = 1 THEN (SELECT id FROM users WHERE username = 'inspector') END
      FROM json_to_recordset(${json(groups)}) AS g(n int, name text, color text)
      ORDER BY g.n`);
    await exec(db, sql`
      INSERT INTO inspection_group_members (group_id, user_id)
      SELECT g.id, u.id FROM inspection_groups g, users u
      WHERE g.round_id = ${round.id} AND g.sort = 1 AND u.username = 'inspector'
        AND (SELECT status FROM inspection_rounds WHERE id = ${round.id}) <> 'closed'`);
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
  // the finished round: every point checked once; the current one: the points its groups visited before the anchor day
  const finished = await seedChecks(db, rounds[2]!.id, plan.finished, plan.finished.endsOn, rng.fork('finished'));
  const current = await seedChecks(db, rounds[0]!.id, plan.current, addDays(anchor, -1), rng.fork('current'));
  return { rounds: rounds.length, groups: rounds.length * DEMO_GROUPS, checks: finished + current };
}

/**
 * The checks of a round up to a day: each group visits its points in order
 * (by id) over the round's working days (Monday to Friday), a share of them a
 * day, between 09:00 and 17:00 Beijing time; only the visits up to `until`
 * happened. Each item of the point type's checklist is drawn by RESULT_ODDS.
 * Scores follow the rule of server/src/services/inspection-score.ts (pass
 * earns the item's points, fail none, serious loses them). The inspector of
 * a check is its group's leader, or the demo supervisor (督查) for the groups
 * without one. The problems its failures filed at the time are not made up.
 */
async function seedChecks(db: Tx, roundId: number, round: DemoRound, until: string, rng: Rng): Promise<number> {
  const points = await rows(db, sql<{ id: number; group_id: number; version: number; point_type: string; nth: number; of: number; user_id: number | null }>`
    SELECT rp.point_id AS id, rp.group_id, ip.version, ip.point_type,
           (row_number() OVER (PARTITION BY rp.group_id ORDER BY rp.point_id) - 1)::int AS nth,
           (count(*) OVER (PARTITION BY rp.group_id))::int AS of,
           coalesce(g.leader_user_id, (SELECT id FROM users WHERE username = 'supervisor' AND demo)) AS user_id
    FROM inspection_round_points rp JOIN inspection_points ip ON ip.id = rp.point_id JOIN inspection_groups g ON g.id = rp.group_id
    WHERE rp.round_id = ${roundId} ORDER BY rp.point_id`);
  const items = await rows(db, sql<{ id: number; point_type: string; points: number }>`
    SELECT id, point_type, points FROM checklist_items WHERE active ORDER BY point_type, sort, id`);
  const byType = new Map<string, typeof items>();
  for (const item of items) byType.set(item.point_type, [...(byType.get(item.point_type) ?? []), item]);
  const days = weekdays(round.startsOn, round.endsOn);
  const checks: unknown[] = [];
  const results: unknown[] = [];
  for (const p of points) {
    const day = days[Math.floor((p.nth * days.length) / p.of)]!;
    const minutes = rng.int(9 * 60, 17 * 60);
    if (day > until) continue;
    const checkedAt = `${day}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00+08:00`;
    let score = 0;
    let max = 0;
    for (const item of byType.get(p.point_type) ?? []) {
      const result = rng.weighted(['pass', 'fail', 'serious'] as const, (r) => RESULT_ODDS[r]);
      score += result === 'pass' ? item.points : result === 'serious' ? -item.points : 0;
      max += item.points;
      results.push({ point_id: p.id, item_id: item.id, result });
    }
    if (max > 0) checks.push({ point_id: p.id, group_id: p.group_id, user_id: p.user_id, version: p.version, checked_at: checkedAt, score, max_score: max });
  }
  await exec(db, sql`
    INSERT INTO inspection_checks (round_id, group_id, point_id, user_id, checked_at, received_at, score, max_score, point_version)
    SELECT ${roundId}, c.group_id, c.point_id, c.user_id, c.checked_at::timestamptz, c.checked_at::timestamptz, c.score, c.max_score, c.version
    FROM json_to_recordset(${json(checks)}) AS c(point_id int, group_id int, user_id int, version int, checked_at text, score float8, max_score float8)
    ORDER BY c.checked_at, c.point_id`);
  await exec(db, sql`
    INSERT INTO inspection_check_items (check_id, item_id, result)
    SELECT ch.id, r.item_id, r.result
    FROM json_to_recordset(${json(results)}) AS r(point_id int, item_id int, result text)
    JOIN inspection_checks ch ON ch.round_id = ${roundId} AND ch.point_id = r.point_id`);
  return checks.length;
}
