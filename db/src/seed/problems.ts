import { sql } from 'kysely';
import { type Category, MINOR_CATEGORIES } from './catalogue.ts';
import type { Rng } from './random.ts';
import { exec, inBatches, json, type Tx } from './sql-helpers.ts';

/**
 * Problems (cases): about half cluster at hot spots — the farmers' markets,
 * the stations and the shopping streets — the rest spread through the
 * district. Times are relative to a fixed reference date, so that the same
 * seed gives the same data whenever it runs. Routing to owners (and the
 * blind-spot and disputed flags) is a spatial join done by PostGIS.
 */
export const REFERENCE_DATE = Date.UTC(2026, 9, 31, 16, 0, 0); // 2026-11-01 00:00 in 桂林 (UTC+8)
const HOUR = 3_600_000;
const BATCH = 10_000;

const STATUS_WEIGHTS = [
  ['closed', 70], ['void', 3], ['reported', 4], ['registered', 4], ['dispatched', 5], ['in_progress', 6], ['fed_back', 4], ['verified', 4],
] as const;
const SOURCE_WEIGHTS = [['grid_worker', 45], ['inspection', 20], ['citizen', 20], ['camera', 10], ['staff', 5]] as const;
const ORDER = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified', 'closed'];

export async function seedProblems(db: Tx, count: number, rng: Rng): Promise<void> {
  if (count === 0) return;
  const district = sql`(SELECT geom FROM territories WHERE level = 'district' ORDER BY id LIMIT 1)`;
  await exec(db, sql`
    CREATE TEMP TABLE seed_hotspots ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY code)::int AS k, geom,
           CASE point_type WHEN '车站' THEN 3 WHEN '农贸市场' THEN 3 ELSE 1 END AS weight
    FROM inspection_points WHERE point_type IN ('农贸市场', '车站', '商业大街')`);
  const hotspots = (await sql<{ k: number; weight: number }>`SELECT k, weight FROM seed_hotspots ORDER BY k`.execute(db)).rows;
  const background = Math.ceil(count * 0.5);
  await exec(db, sql`
    CREATE TEMP TABLE seed_background ON COMMIT DROP AS
    SELECT d.path[1] AS k, d.geom FROM ST_Dump(ST_GeneratePoints(${district}, ${background}, ${rng.seed()})) d`);
  await exec(db, sql`CREATE INDEX ON seed_background (k)`);

  let nextBackground = 1;
  const specs = Array.from({ length: count }, () => {
    const category = rng.weighted(MINOR_CATEGORIES, (c) => c.weight) as Category;
    const status = rng.weighted(STATUS_WEIGHTS, ([, w]) => w)[0];
    const reported = REFERENCE_DATE - rng.range(0, 365 * 24) * HOUR;
    const deadline = (category.hours ?? 24) * HOUR;
    const reached = status === 'void' ? 1 : ORDER.indexOf(status);
    const registered = reached >= 1 ? reported + rng.range(0.1, 1) * HOUR : null;
    const dispatched = reached >= 2 && registered ? registered + rng.range(0.2, 2) * HOUR : null;
    const due = dispatched ? dispatched + deadline : null;
    const onTime = rng.chance(0.82);
    const closed = status === 'closed' && dispatched ? dispatched + deadline * (onTime ? rng.range(0.2, 0.98) : rng.range(1.05, 3)) : null;
    const hot = hotspots.length > 0 && nextBackground > background ? true : hotspots.length > 0 && rng.chance(0.5);
    const location = hot
      ? { hotspot: rng.weighted(hotspots, (h) => h.weight).k, distance: Math.abs(rng.normal()) * 140, azimuth: rng.range(0, 360), background: null }
      : { hotspot: null, distance: 0, azimuth: 0, background: Math.min(background, nextBackground++) };
    const iso = (t: number | null) => (t === null ? null : new Date(Math.min(t, REFERENCE_DATE)).toISOString());
    return {
      category: category.id,
      status,
      description: rng.pick(category.phrases),
      source: rng.weighted(SOURCE_WEIGHTS, ([, w]) => w)[0],
      reported_at: iso(reported),
      registered_at: iso(registered),
      dispatched_at: iso(dispatched),
      due_at: due === null ? null : new Date(due).toISOString(),
      closed_at: iso(closed),
      ...location,
    };
  });

  await inBatches(specs, BATCH, async (batch) => {
    await exec(db, sql`
      INSERT INTO problems (category_id, status, description, source, geom, reported_at, registered_at, dispatched_at, due_at, closed_at, updated_at)
      SELECT s.category, s.status, s.description, s.source,
             CASE WHEN s.hotspot IS NOT NULL THEN
                    (SELECT CASE WHEN ST_Intersects(d.g, p.q) THEN p.q ELSE h.geom END
                       FROM seed_hotspots h,
                            LATERAL (SELECT ST_SnapToGrid(ST_Project(h.geom::geography, s.distance, radians(s.azimuth))::geometry, 1e-7) AS q) p,
                            LATERAL (SELECT ${district} AS g) d
                      WHERE h.k = s.hotspot)
                  ELSE (SELECT ST_SnapToGrid(b.geom, 1e-7) FROM seed_background b WHERE b.k = s.background) END,
             s.reported_at::timestamptz, s.registered_at::timestamptz, s.dispatched_at::timestamptz, s.due_at::timestamptz,
             s.closed_at::timestamptz, coalesce(s.closed_at, s.dispatched_at, s.registered_at, s.reported_at)::timestamptz
      FROM json_to_recordset(${json(batch)}) AS s(category text, status text, description text, source text, reported_at text,
           registered_at text, dispatched_at text, due_at text, closed_at text, hotspot integer, distance float8, azimuth float8, background integer)`);
  });

  // The grid each problem lies in, then its owner: the zone of the category's duty (either sanitation tier
  // for a sanitation category); none → the street office, flagged blind spot; several → the campaign office, disputed.
  await exec(db, sql`
    UPDATE problems p SET grid_id = g.id, street_id = c.parent_id
    FROM territories g JOIN territories c ON c.id = g.parent_id
    WHERE g.level = 'grid' AND g.geom && p.geom AND ST_Intersects(g.geom, p.geom)`);
  await exec(db, sql`
    WITH cand AS (
      -- a partial duty (门前三包, 绿化) falls back to the street-order zone where it has no zone of its own
      -- (the same rule as the server's routing: the duty, its coverage group, then its fallback duty)
      SELECT p.id, z.id AS zone_id, z.owner_org_id,
             CASE WHEN z.duty_type_id = dt.fallback_duty_id AND z.duty_type_id <> c.duty_type_id THEN 2 ELSE 1 END AS rank
      FROM problems p
      JOIN problem_categories c ON c.id = p.category_id
      JOIN duty_types dt ON dt.id = c.duty_type_id
      JOIN zones z ON z.valid_to IS NULL AND z.geom && p.geom AND ST_Intersects(z.geom, p.geom)
      JOIN duty_types dz ON dz.id = z.duty_type_id
        AND (z.duty_type_id = c.duty_type_id
             OR (dt.coverage_group IS NOT NULL AND dz.coverage_group = dt.coverage_group)
             OR z.duty_type_id = dt.fallback_duty_id)
    ),
    best AS (SELECT id, min(rank) AS rank FROM cand GROUP BY id),
    owners AS (
      SELECT p.id, array_agg(DISTINCT cand.owner_org_id) FILTER (WHERE cand.zone_id IS NOT NULL) AS orgs, count(cand.zone_id) AS zones
      FROM problems p LEFT JOIN best b ON b.id = p.id LEFT JOIN cand ON cand.id = p.id AND cand.rank = b.rank
      GROUP BY p.id
    ),
    street_office AS (
      SELECT g.id AS grid_id, o.id AS org_id
      FROM territories g JOIN territories c ON c.id = g.parent_id JOIN organisations o ON o.kind = 'street' AND o.territory_id = c.parent_id
      WHERE g.level = 'grid'
    )
    UPDATE problems p SET
      owner_org_id = CASE WHEN w.zones = 1 THEN w.orgs[1]
                          WHEN w.zones = 0 THEN (SELECT org_id FROM street_office so WHERE so.grid_id = p.grid_id)
                          ELSE (SELECT id FROM organisations WHERE name = '区创城办' LIMIT 1) END,
      blind_spot = (w.zones = 0 AND c.duty_type_id IS NOT NULL),
      disputed = (w.zones > 1)
    FROM owners w, problem_categories c WHERE w.id = p.id AND c.id = p.category_id`);
}
