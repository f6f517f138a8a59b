import { sql } from 'kysely';
import { childCode, readingOrder, rowHeightFor } from './ordering.ts';
import { COMMUNITY_NAMES, GRID_TARGET_KM2, STREETS, type StreetKey } from './places.ts';
import type { Rng } from './random.ts';
import { DISTRICT_CODE, type SourceData } from './source-data.ts';
import { exec, GRID, json, rows, type Tx } from './sql-helpers.ts';

/**
 * The territory: district → 4 streets → ~40 communities → a few hundred
 * grids. Each level is cut by PostGIS into centroidal Voronoi cells of its
 * parent (k-means centres of seeded random points), clipped to the parent on
 * a 1 cm precision grid so that siblings tile their parent exactly.
 */
export interface Unit {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
  streetKey: StreetKey;
}

export interface Territory {
  district: { id: number; code: string; name: string };
  streets: (Unit & { key: StreetKey; urban: boolean })[];
  communities: Unit[];
  grids: Unit[];
}

/**
 * Longest edge of generated boundaries, in degrees (≈ 30 m). Long straight
 * edges in lon/lat are not geodesics: measured on the spheroid, a 6 km
 * Voronoi edge bulges by ~0.3 m from the same edge cut into pieces by the
 * children, and sums of child areas would drift from the parent's.
 */
const SEGMENT = sql.raw('(0.0003)::float8');

interface CellRow {
  key: string;
  parent_key: string;
  cx: number;
  cy: number;
  top: number;
  parent_area: number;
  siblings: number;
}

export async function seedTerritory(db: Tx, source: SourceData, rng: Rng): Promise<Territory> {
  await exec(db, sql`
    CREATE TEMP TABLE seed_parents (key text PRIMARY KEY, id integer, street text, geom geometry, k integer, sample_seed integer) ON COMMIT DROP`);
  await exec(db, sql`
    CREATE TEMP TABLE seed_cells (key text PRIMARY KEY, parent_key text NOT NULL, geom geometry NOT NULL) ON COMMIT DROP`);

  const [district] = await rows(db, sql<{ id: number }>`
    INSERT INTO territories (level, code, name, parent_id, geom)
    SELECT 'district', ${DISTRICT_CODE}, ${source.district.name}, NULL,
           ST_Multi(ST_CollectionExtract(ST_ReducePrecision(ST_Segmentize(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${source.district.geojson}), 4326)), ${SEGMENT}), ${GRID}), 3))
    RETURNING id`);
  if (!district) throw new Error('district not inserted');

  // Streets: Voronoi cells of four placed seeds.
  await exec(db, sql`
    INSERT INTO seed_cells (key, parent_key, geom)
    WITH d AS (SELECT geom FROM territories WHERE id = ${district.id}),
    b AS (SELECT ST_XMin(geom) x0, ST_YMin(geom) y0, ST_XMax(geom) - ST_XMin(geom) w, ST_YMax(geom) - ST_YMin(geom) h FROM d),
    seeds AS (
      SELECT s.key, ST_SetSRID(ST_MakePoint(b.x0 + s.fx * b.w, b.y0 + s.fy * b.h), 4326) p
      FROM json_to_recordset(${json(STREETS.map(({ key, fx, fy }) => ({ key, fx: fx + rng.range(-0.02, 0.02), fy: fy + rng.range(-0.02, 0.02) })))})
           AS s(key text, fx float8, fy float8), b),
    cells AS (
      SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(p), 0, (SELECT ST_Expand(ST_Envelope(geom), 0.05) FROM d)))).geom cell FROM seeds)
    SELECT seeds.key, 'district', ST_Multi(ST_CollectionExtract(ST_Intersection(ST_Segmentize(cells.cell, ${SEGMENT}), d.geom, ${GRID}), 3))
    FROM cells JOIN seeds ON ST_Intersects(cells.cell, seeds.p), d`);
  await exec(db, sql`INSERT INTO seed_parents (key, id, geom) SELECT 'district', ${district.id}, geom FROM territories WHERE id = ${district.id}`);
  await absorbFragments(db);
  const streets: Territory['streets'] = (await numberCells(db)).map((row, i) => {
    const meta = STREETS.find((s) => s.key === row.key);
    if (!meta) throw new Error(`unknown street cell ${row.key}`);
    return { id: 0, code: childCode(DISTRICT_CODE, i + 1), name: meta.name, parentId: district.id, streetKey: meta.key, key: meta.key, urban: meta.urban };
  });
  await insertUnits(db, 'street', streets.map((s) => ({ key: s.key, code: s.code, name: s.name, parentId: district.id })), streets);

  // Communities: about ten per street.
  await exec(db, sql`DELETE FROM seed_parents`);
  await exec(db, sql`
    INSERT INTO seed_parents (key, id, street, geom, k, sample_seed)
    SELECT p.key, t.id, p.key, t.geom, p.k, p.sample_seed
    FROM json_to_recordset(${json(streets.map((s) => ({ key: s.key, id: s.id, k: rng.int(9, 11), sample_seed: rng.seed() })))})
         AS p(key text, id integer, k integer, sample_seed integer)
    JOIN territories t ON t.id = p.id`);
  await cutParents(db);
  const communityRows = await numberCells(db);
  const communities: Unit[] = [];
  const communityKeys: string[] = [];
  for (const street of streets) {
    const names = COMMUNITY_NAMES[street.key];
    communityRows.filter((r) => r.parent_key === street.key).forEach((row, i) => {
      const name = names[i];
      if (!name) throw new Error(`no community name left in ${street.name}`);
      communities.push({ id: 0, code: childCode(street.code, i + 1), name, parentId: street.id, streetKey: street.key });
      communityKeys.push(row.key);
    });
  }
  await insertUnits(db, 'community', communities.map((c, i) => ({ key: communityKeys[i] as string, code: c.code, name: c.name, parentId: c.parentId as number })), communities);

  // Grids: sized by street, denser in the old town.
  await exec(db, sql`DELETE FROM seed_parents`);
  await exec(db, sql`
    INSERT INTO seed_parents (key, id, street, geom, k, sample_seed)
    SELECT p.key, t.id, p.street, t.geom,
           greatest(3, round(ST_Area(t.geom::geography) / 1e6 / p.target_km2))::int, p.sample_seed
    FROM json_to_recordset(${json(communities.map((c, i) => ({ key: communityKeys[i], id: c.id, street: c.streetKey, target_km2: GRID_TARGET_KM2[c.streetKey] * rng.range(0.85, 1.15), sample_seed: rng.seed() })))})
         AS p(key text, id integer, street text, target_km2 float8, sample_seed integer)
    JOIN territories t ON t.id = p.id`);
  await cutParents(db);
  const gridRows = await numberCells(db);
  const grids: Unit[] = [];
  const gridKeys: string[] = [];
  communities.forEach((community, ci) => {
    gridRows.filter((r) => r.parent_key === communityKeys[ci]).forEach((row, i) => {
      grids.push({ id: 0, code: childCode(community.code, i + 1), name: `${community.name}第${i + 1}网格`, parentId: community.id, streetKey: community.streetKey });
      gridKeys.push(row.key);
    });
  });
  await insertUnits(db, 'grid', grids.map((g, i) => ({ key: gridKeys[i] as string, code: g.code, name: g.name, parentId: g.parentId as number })), grids);

  return { district: { id: district.id, code: DISTRICT_CODE, name: source.district.name }, streets, communities, grids };
}

/** Cut every row of seed_parents into k centroidal Voronoi cells (into seed_cells). */
async function cutParents(db: Tx): Promise<void> {
  await exec(db, sql`DELETE FROM seed_cells`);
  await exec(db, sql`
    INSERT INTO seed_cells (key, parent_key, geom)
    WITH samples AS (
      SELECT p.key, p.k, d.path[1] AS i, d.geom
      FROM seed_parents p, ST_Dump(ST_GeneratePoints(p.geom, p.k * 60, p.sample_seed)) d),
    clustered AS (
      SELECT key, geom, ST_ClusterKMeans(geom, k) OVER (PARTITION BY key ORDER BY i) AS cluster FROM samples),
    centres AS (
      SELECT key, cluster, ST_Centroid(ST_Collect(geom)) AS p FROM clustered GROUP BY key, cluster),
    sites AS (
      SELECT key, ST_Collect(p ORDER BY cluster) AS sites FROM centres GROUP BY key),
    cells AS (
      SELECT s.key, (ST_Dump(ST_VoronoiPolygons(s.sites, 0, ST_Expand(ST_Envelope(p.geom), 0.01)))).geom AS cell
      FROM sites s JOIN seed_parents p USING (key)),
    clipped AS (
      SELECT cells.key AS parent_key, centres.cluster,
             ST_Multi(ST_CollectionExtract(ST_Intersection(ST_Segmentize(cells.cell, ${SEGMENT}), p.geom, ${GRID}), 3)) AS geom
      FROM cells
      JOIN centres ON centres.key = cells.key AND ST_Intersects(cells.cell, centres.p)
      JOIN seed_parents p ON p.key = cells.key)
    SELECT parent_key || '/' || cluster, parent_key, geom FROM clipped WHERE NOT ST_IsEmpty(geom)`);
  await absorbFragments(db);
}

/**
 * A Voronoi cell clipped to a concave parent can fall apart into pieces; a
 * community in two pieces is not what a planner draws. Every piece but the
 * largest goes to the sibling it shares the longest border with.
 */
async function absorbFragments(db: Tx): Promise<void> {
  await exec(db, sql`
    CREATE TEMP TABLE seed_parts ON COMMIT DROP AS
    SELECT c.key, c.parent_key, d.path[1] AS part, d.geom,
           row_number() OVER (PARTITION BY c.key ORDER BY ST_Area(d.geom) DESC, d.path[1]) AS rank
    FROM seed_cells c, ST_Dump(c.geom) d`);
  await exec(db, sql`
    CREATE TEMP TABLE seed_moves ON COMMIT DROP AS
    SELECT f.key, f.part, coalesce((
             SELECT m.key FROM seed_parts m
             WHERE m.rank = 1 AND m.parent_key = f.parent_key AND m.key <> f.key AND ST_Intersects(m.geom, f.geom)
             ORDER BY ST_Length(ST_Intersection(ST_Boundary(m.geom), ST_Boundary(f.geom))) DESC, m.key
             LIMIT 1), f.key) AS target
    FROM seed_parts f WHERE f.rank > 1`);
  await exec(db, sql`
    UPDATE seed_cells c SET geom = u.geom
    FROM (
      SELECT owner, ST_Multi(ST_CollectionExtract(ST_Union(geom, ${GRID}), 3)) AS geom
      FROM (
        SELECT p.key AS owner, p.geom FROM seed_parts p
        WHERE p.rank = 1 OR NOT EXISTS (SELECT 1 FROM seed_moves m WHERE m.key = p.key AND m.part = p.part AND m.target <> p.key)
        UNION ALL
        SELECT m.target, p.geom FROM seed_moves m JOIN seed_parts p USING (key, part) WHERE m.target <> m.key
      ) pieces GROUP BY owner
    ) u
    WHERE u.owner = c.key AND EXISTS (SELECT 1 FROM seed_moves m WHERE m.key = c.key OR m.target = c.key)`);
  await exec(db, sql`DROP TABLE seed_parts`);
  await exec(db, sql`DROP TABLE seed_moves`);
}

/** The cells in numbering order within each parent (west → east, north → south by centroid). */
async function numberCells(db: Tx): Promise<CellRow[]> {
  const cells = await rows(db, sql<CellRow>`
    SELECT c.key, c.parent_key, ST_X(ST_Centroid(c.geom)) AS cx, ST_Y(ST_Centroid(c.geom)) AS cy,
           ST_YMax(p.geom) AS top, ST_Area(p.geom) AS parent_area,
           (count(*) OVER (PARTITION BY c.parent_key))::int AS siblings
    FROM seed_cells c JOIN seed_parents p ON p.key = c.parent_key
    ORDER BY c.key`);
  const out: CellRow[] = [];
  const parents = [...new Set(cells.map((c) => c.parent_key))].sort();
  for (const parent of parents) {
    const siblings = cells.filter((c) => c.parent_key === parent);
    const first = siblings[0];
    if (!first) continue;
    out.push(...readingOrder(siblings, (c) => ({ x: c.cx, y: c.cy }), first.top, rowHeightFor(first.parent_area, siblings.length)));
  }
  return out;
}

/** Insert the numbered cells as territories and fill in their ids. */
async function insertUnits(
  db: Tx,
  level: 'street' | 'community' | 'grid',
  units: { key: string; code: string; name: string; parentId: number }[],
  target: { id: number; code: string }[],
): Promise<void> {
  const inserted = await rows(db, sql<{ id: number; code: string }>`
    INSERT INTO territories (level, code, name, parent_id, geom)
    SELECT ${level}, u.code, u.name, u.parent_id, c.geom
    FROM json_to_recordset(${json(units.map((u, i) => ({ ...u, parent_id: u.parentId, ord: i })))})
         AS u(key text, code text, name text, parent_id integer, ord integer)
    JOIN seed_cells c ON c.key = u.key
    ORDER BY u.ord
    RETURNING id, code`);
  const ids = new Map(inserted.map((r) => [r.code, r.id]));
  for (const unit of target) {
    const id = ids.get(unit.code);
    if (id === undefined) throw new Error(`territory ${unit.code} was not inserted`);
    unit.id = id;
  }
}
