import { type RawBuilder, sql } from 'kysely';
import { BRANCH_NAMES, LANE_HEADS, LANE_TAILS, MAIN_ROADS, SECONDARY_ROADS, type StreetKey } from './places.ts';
import type { Rng } from './random.ts';
import { exec, json, type Tx } from './sql-helpers.ts';
import type { Territory } from './territory.ts';

/**
 * The road network: main roads as jittered polylines across the district,
 * secondary roads between two main roads, branch roads joining the two roads
 * nearest to a seeded point, and lanes (背街小巷) leaving a road towards a
 * seeded point. Every road ends on another road or near the district
 * boundary; crossings and junctions are shared vertices (ST_Snap), so that a
 * router can node the network. One row per LineString.
 */
export interface RoadInfo {
  name: string;
  isNew: boolean;
  shopping: boolean;
}

/** Roads are clipped to the district grown by this many metres. */
const MARGIN_M = 150;

/** How many branch roads and lanes start in each street (the old town is denser). */
const BRANCHES: Record<StreetKey, number> = { xiangshan: 9, nanmen: 10, pingshan: 8, ertang: 6 };
const LANES: Record<StreetKey, number> = { xiangshan: 34, nanmen: 30, pingshan: 18, ertang: 10 };

export async function seedRoads(db: Tx, territory: Territory, rng: Rng): Promise<RoadInfo[]> {
  await exec(db, sql`
    CREATE TEMP TABLE seed_area ON COMMIT DROP AS
    SELECT geom AS district, ST_Buffer(geom::geography, ${MARGIN_M})::geometry AS area,
           ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) - ST_XMin(geom) AS w, ST_YMax(geom) - ST_YMin(geom) AS h
    FROM territories WHERE id = ${territory.district.id}`);
  await exec(db, sql`CREATE TEMP TABLE seed_lines (name text PRIMARY KEY, cls text, ord integer, geom geometry) ON COMMIT DROP`);

  // Main roads: the placed vertices, jittered, with two wobbling points between each pair.
  const jitter = new Map<string, [number, number]>();
  const at = ([fx, fy]: readonly [number, number]): [number, number] => {
    const key = `${fx},${fy}`;
    if (!jitter.has(key)) jitter.set(key, [fx + rng.range(-0.008, 0.008), fy + rng.range(-0.006, 0.006)]);
    return jitter.get(key) as [number, number];
  };
  const mains = MAIN_ROADS.map((road, ord) => {
    const pts: { i: number; fx: number; fy: number }[] = [];
    road.path.forEach((vertex, k) => {
      const [fx, fy] = at(vertex);
      const next = road.path[k + 1];
      pts.push({ i: pts.length, fx, fy });
      if (!next) return;
      const [nx, ny] = at(next);
      for (const t of [1 / 3, 2 / 3]) {
        pts.push({ i: pts.length, fx: fx + (nx - fx) * t + rng.range(-0.003, 0.003), fy: fy + (ny - fy) * t + rng.range(-0.002, 0.002) });
      }
    });
    return { name: road.name, cls: road.cls, ord, pts };
  });
  await exec(db, sql`
    INSERT INTO seed_lines (name, cls, ord, geom)
    SELECT r.name, r.cls, r.ord, ST_SetSRID(ST_MakeLine(array_agg(ST_MakePoint(a.x0 + p.fx * a.w, a.y0 + p.fy * a.h) ORDER BY p.i)), 4326)
    FROM json_to_recordset(${json(mains)}) AS r(name text, cls text, ord integer, pts json),
         json_to_recordset(r.pts) AS p(i integer, fx float8, fy float8), seed_area a
    GROUP BY r.name, r.cls, r.ord`);

  // Secondary roads: from a point on one main road to a point on another, bending on the way.
  const secondaries = SECONDARY_ROADS.map(([name, from, t0, to, t1], i) => ({
    name, from, t0, to, t1, ord: 100 + i,
    bends: [1, 2].map((k) => ({ k, t: k / 3 + rng.range(-0.05, 0.05), off: rng.range(-60, 60) })),
  }));
  await exec(db, sql`
    INSERT INTO seed_lines (name, cls, ord, geom)
    WITH ends AS (
      SELECT s.name, s.ord, s.bends, ST_LineInterpolatePoint(a.geom, s.t0) AS p0, ST_LineInterpolatePoint(b.geom, s.t1) AS p1
      FROM json_to_recordset(${json(secondaries)}) AS s(name text, "from" text, t0 float8, "to" text, t1 float8, ord integer, bends json)
      JOIN seed_lines a ON a.name = s."from" JOIN seed_lines b ON b.name = s."to")
    SELECT e.name, 'secondary', e.ord, ST_MakeLine(array_agg(v.p ORDER BY v.k))
    FROM ends e, LATERAL (
      SELECT 0 AS k, e.p0 AS p
      UNION ALL
      SELECT b.k, ST_Project(ST_LineInterpolatePoint(ST_MakeLine(e.p0, e.p1), b.t)::geography, b.off,
                             ST_Azimuth(e.p0::geography, e.p1::geography) + pi() / 2)::geometry
      FROM json_to_recordset(e.bends) AS b(k integer, t float8, off float8)
      UNION ALL
      SELECT 3, e.p1) v
    GROUP BY e.name, e.ord`);
  await insertClipped(db, sql`SELECT name, cls, ord, geom FROM seed_lines`, 200);

  // Branch roads: join the two roads nearest to a seeded point, through it.
  const branchNames = rng.shuffle(BRANCH_NAMES);
  const branchStreets = territory.streets.map((t, ord) => ({ street: t.id, count: BRANCHES[t.key] * 4, wanted: BRANCHES[t.key], seed: rng.seed(), ord }));
  await exec(db, sql`
    INSERT INTO seed_lines (name, cls, ord, geom)
    WITH streets AS (
      SELECT * FROM json_to_recordset(${json(branchStreets)}) AS s(street integer, count integer, wanted integer, seed integer, ord integer)),
    anchors AS (
      SELECT s.ord AS street, row_number() OVER (ORDER BY s.ord, d.path[1]) AS n, d.geom AS p
      FROM streets s JOIN territories t ON t.id = s.street, ST_Dump(ST_GeneratePoints(t.geom, s.count, s.seed)) d),
    near AS (
      SELECT a.street, a.n, a.p,
             (SELECT r.geom FROM roads r ORDER BY r.geom <-> a.p, r.id LIMIT 1) AS r1,
             (SELECT r.geom FROM roads r WHERE r.name <> (SELECT r0.name FROM roads r0 ORDER BY r0.geom <-> a.p, r0.id LIMIT 1)
              ORDER BY r.geom <-> a.p, r.id LIMIT 1) AS r2
      FROM anchors a),
    ends AS (
      SELECT street, n, p, ST_ClosestPoint(r1, p) AS c1, ST_ClosestPoint(r2, p) AS c2 FROM near WHERE r2 IS NOT NULL),
    lines AS (
      -- only where the two roads lie on either side of the point, not a V back to the same side
      SELECT street, n, ST_MakeLine(ARRAY[c1, p, c2]) AS geom FROM ends
      WHERE ST_Distance(c1, c2) > 1.1 * greatest(ST_Distance(c1, p), ST_Distance(c2, p))),
    kept AS (
      SELECT l.n, l.geom, row_number() OVER (PARTITION BY l.street ORDER BY l.n) AS i, s.wanted
      FROM lines l JOIN streets s ON s.ord = l.street
      WHERE ST_Length(l.geom::geography) BETWEEN 250 AND 2000 AND ST_IsSimple(l.geom)),
    named AS (
      SELECT n, geom, row_number() OVER (ORDER BY n) AS k FROM kept WHERE i <= wanted)
    SELECT names.name, 'branch', 200 + named.n, named.geom
    FROM named
    JOIN json_to_recordset(${json(branchNames.map((name, ord) => ({ name, ord: ord + 1 })))}) AS names(name text, ord integer)
      ON names.ord = named.k`);
  await insertClipped(db, sql`SELECT name, cls, ord, geom FROM seed_lines WHERE cls = 'branch'`, 120);

  // Lanes: from the nearest road towards a seeded point, 120–380 m, with a kink.
  const laneNames = rng.shuffle(LANE_HEADS.flatMap((h) => LANE_TAILS.map((t) => h + t)));
  const laneStreets = territory.streets.map((t, ord) => ({ street: t.id, count: Math.round(LANES[t.key] * 1.6), seed: rng.seed(), ord }));
  const laneShape = Array.from({ length: laneStreets.reduce((s, l) => s + l.count, 0) }, (_, i) => ({
    n: i + 1, len: rng.range(120, 380), kink: rng.range(0.35, 0.65), turn: rng.range(-0.5, 0.5),
  }));
  await exec(db, sql`
    INSERT INTO seed_lines (name, cls, ord, geom)
    WITH anchors AS (
      SELECT row_number() OVER (ORDER BY s.ord, d.path[1]) AS n, s.ord AS street, d.geom AS p
      FROM json_to_recordset(${json(laneStreets)}) AS s(street integer, count integer, seed integer, ord integer)
      JOIN territories t ON t.id = s.street, ST_Dump(ST_GeneratePoints(t.geom, s.count, s.seed)) d),
    starts AS (
      SELECT a.n, a.street, a.p, ST_ClosestPoint((SELECT r.geom FROM roads r ORDER BY r.geom <-> a.p, r.id LIMIT 1), a.p) AS p0
      FROM anchors a),
    shaped AS (
      SELECT s.n, s.street, s.p0, ST_Azimuth(s.p0::geography, s.p::geography) AS az, x.len, x.kink, x.turn
      FROM starts s JOIN json_to_recordset(${json(laneShape)}) AS x(n integer, len float8, kink float8, turn float8) USING (n)
      WHERE ST_Distance(s.p0::geography, s.p::geography) > 40),
    lines AS (
      SELECT n, street, ST_MakeLine(ARRAY[p0, k, ST_Project(k::geography, len * (1 - kink), az + turn)::geometry]) AS geom
      FROM (SELECT *, ST_Project(p0::geography, len * kink, az)::geometry AS k FROM shaped) s),
    kept AS (
      SELECT l.*, row_number() OVER (PARTITION BY street ORDER BY n) AS i FROM lines l
      WHERE NOT EXISTS (SELECT 1 FROM roads r WHERE r.road_class IN ('trunk', 'main') AND ST_Crosses(r.geom, l.geom)))
    SELECT names.name, 'lane', 1000 + kept.n, kept.geom
    FROM (SELECT *, row_number() OVER (ORDER BY n) AS k FROM kept
          JOIN json_to_recordset(${json(laneStreets.map((l) => ({ ord: l.ord, wanted: Math.round(l.count / 1.6) })))}) AS w(ord integer, wanted integer)
            ON w.ord = kept.street
          WHERE kept.i <= w.wanted) kept
    JOIN (SELECT name, ord FROM json_to_recordset(${json(laneNames.map((name, ord) => ({ name, ord: ord + 1 })))}) AS x(name text, ord integer)) names
      ON names.ord = kept.k`);
  await insertClipped(db, sql`SELECT name, cls, ord, geom FROM seed_lines WHERE cls = 'lane'`, 60);

  // Node the network: every road gets a vertex where another road crosses or ends on it.
  await exec(db, sql`
    CREATE TEMP TABLE seed_nodes ON COMMIT DROP AS
    SELECT ST_SnapToGrid((ST_Dump(ST_Intersection(a.geom, b.geom))).geom, 1e-7) AS p
    FROM roads a JOIN roads b ON a.id < b.id AND ST_Intersects(a.geom, b.geom)
    UNION ALL
    SELECT ST_SnapToGrid(ST_ClosestPoint(b.geom, e.p), 1e-7)
    FROM roads a CROSS JOIN LATERAL (VALUES (ST_StartPoint(a.geom)), (ST_EndPoint(a.geom))) e(p)
    JOIN roads b ON b.id <> a.id AND ST_DWithin(b.geom, e.p, 1e-6)`);
  await exec(db, sql`DELETE FROM seed_nodes WHERE GeometryType(p) <> 'POINT'`);
  await exec(db, sql`
    UPDATE roads r SET geom = ST_Snap(r.geom, n.nodes, 2e-6)
    FROM (SELECT r2.id, ST_Collect(n.p ORDER BY ST_X(n.p), ST_Y(n.p)) AS nodes
          FROM roads r2 JOIN seed_nodes n ON ST_DWithin(r2.geom, n.p, 2e-6) GROUP BY r2.id) n
    WHERE n.id = r.id`);
  await exec(db, sql`DELETE FROM roads WHERE NOT ST_IsValid(geom) OR ST_NPoints(geom) < 2 OR GeometryType(geom) <> 'LINESTRING'`);

  return MAIN_ROADS.map((r) => ({ name: r.name, isNew: r.isNew ?? false, shopping: r.shopping ?? false }));
}

/** Clip lines to the district (plus a margin) and insert each remaining LineString as a road. */
async function insertClipped(db: Tx, source: RawBuilder<unknown>, minLengthM: number): Promise<void> {
  await exec(db, sql`
    INSERT INTO roads (name, road_class, geom)
    SELECT s.name, s.cls, ST_SnapToGrid(d.geom, 1e-7)
    FROM (${source}) s, seed_area a,
         LATERAL ST_Dump(ST_LineMerge(ST_CollectionExtract(ST_Intersection(s.geom, a.area), 2))) d
    WHERE ST_Length(d.geom::geography) >= ${minLengthM}
      AND NOT EXISTS (SELECT 1 FROM roads r WHERE r.name = s.name)
    ORDER BY s.ord, d.path[1]`);
}
