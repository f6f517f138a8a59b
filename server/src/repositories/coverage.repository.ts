import type { DB } from '@civgrid/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';

/**
 * The blind-spot engine (管理盲区): gaps, overlaps, ownerless roads and point
 * coverage, all computed by PostGIS. Every query takes the analysis area as a
 * SQL expression yielding one valid (Multi)Polygon in EPSG:4326.
 *
 * Portable between PostGIS 3.3 (Debian) and 3.6 (embedded): no ST_Coverage*.
 * Inputs are made valid before overlay, because a GEOS exception on the
 * embedded engine takes the instance down. Every overlay (union, difference,
 * intersection) passes a grid size of 1e-10° (≈ 10 µm): snap-rounded overlay
 * is robust, whereas the embedded engine's floating overlay failed silently
 * (no rows) on the demo district. 10 µm keeps a 1e-9° sliver a sliver.
 */

export interface Tolerance {
  /** Gaps narrower than this (largest inscribed circle's diameter, m) are slivers. */
  minWidthM: number;
  /** Gaps or overlaps smaller than this (m²) are slivers. */
  minAreaM2: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { minWidthM: 1, minAreaM2: 10 };

export interface Neighbour {
  zone_id: number;
  zone_name: string;
  owner_id: number;
  owner_name: string;
  shared_m: number;
}

export interface GapRow {
  geometry: string;
  area_m2: number;
  width_m: number;
  neighbours: Neighbour[];
  points: { id: number; code: string; name: string }[];
  road_length_m: number;
}

export interface OverlapRow {
  geometry: string;
  area_m2: number;
  width_m: number;
  zones: { zone_id: number; zone_name: string; owner_id: number; owner_name: string }[];
}

export interface PointCoverageRow {
  id: number;
  code: string;
  name: string;
  point_type: string;
  geometry: string;
  community_id: number | null;
  community_name: string | null;
  street_id: number | null;
  street_name: string | null;
  has_leader: boolean;
  has_department: boolean;
  people_count: number;
  duties: { duty: string; coverage: 'full' | 'partial'; group: string | null; zones: number }[];
}

export interface PieceSize {
  area_m2: number;
  width_m: number;
}

export interface SummaryRow {
  id: number;
  level: 'street' | 'community';
  code: string;
  name: string;
  parent_id: number | null;
  area_m2: number;
  covered_m2: number;
  gaps: PieceSize[];
  overlaps: PieceSize[];
  ownerless_road_m: number;
}

/** Degrees that stand for "touching" between computed boundaries (≈ 1 cm). */
const TOUCH = 1e-7;

/** UTM zone of the area's centroid, for widths measured in metres. */
const metricSrid = (area: RawBuilder<unknown>) => sql`
  (SELECT CASE WHEN ST_Y(c) >= 0 THEN 32600 ELSE 32700 END + least(60, floor((ST_X(c) + 180) / 6)::int + 1)
     FROM (SELECT ST_Centroid(${area}) AS c) x)`;

/** Diameter (m) of the largest circle inside a polygon. */
const widthM = (geom: RawBuilder<unknown>, srid: RawBuilder<unknown>) =>
  sql`2 * (ST_MaximumInscribedCircle(ST_Transform(${geom}, ${srid}))).radius`;

/**
 * The common head of the gap and overlap queries: `area` (the analysis area),
 * `srid` (its UTM zone) and `z` (the duty's current zones touching the area,
 * made valid; the GiST index answers `&&`).
 */
const areaAndZones = (area: RawBuilder<unknown>, duty: string) => sql`
      area AS (SELECT ${area} AS g),
      srid AS (SELECT ${metricSrid(sql`(SELECT g FROM area)`)} AS srid),
      z AS (
        SELECT z.id, z.name, z.owner_org_id, ST_MakeValid(z.geom) AS geom
        FROM zones z, area
        WHERE z.duty_type_id = ${duty} AND z.valid_to IS NULL AND z.geom && area.g AND ST_Intersects(z.geom, area.g)
      )`;


export class CoverageRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Gaps: the area minus the union of the duty's current zones, one row per
   * connected piece, with its neighbours (by shared border), the inspection
   * points and the road length inside it.
   */
  async gaps(area: RawBuilder<unknown>, duty: string): Promise<GapRow[]> {
    const { rows } = await sql<GapRow>`
      WITH ${areaAndZones(area, duty)},
      covered AS (SELECT ST_CollectionExtract(ST_Union(geom, 1e-10), 3) AS g FROM z),
      pieces AS (
        SELECT (ST_Dump(ST_CollectionExtract(ST_MakeValid(
                  CASE WHEN covered.g IS NULL THEN area.g ELSE ST_Difference(area.g, covered.g, 1e-10) END), 3))).geom AS g
        FROM area, covered
      ),
      gaps AS (
        SELECT g, ST_Area(g::geography) AS area_m2, ${widthM(sql`g`, sql`(SELECT srid FROM srid)`)} AS width_m
        FROM pieces WHERE NOT ST_IsEmpty(g) AND ST_Area(g) > 0
      )
      SELECT ST_AsGeoJSON(gaps.g, 8) AS geometry,
             gaps.area_m2::float8 AS area_m2,
             gaps.width_m::float8 AS width_m,
             coalesce((
               SELECT json_agg(json_build_object('zone_id', n.id, 'zone_name', n.name, 'owner_id', n.owner_org_id,
                                                 'owner_name', o.name, 'shared_m', round(n.shared::numeric, 2))
                               ORDER BY n.shared DESC, n.id)
               FROM (
                 SELECT z.id, z.name, z.owner_org_id,
                        ST_Length(ST_Intersection(ST_Boundary(gaps.g),
                          ST_Buffer(ST_ClipByBox2D(z.geom, ST_Expand(ST_Envelope(gaps.g), ${TOUCH * 10})), ${TOUCH}), 1e-10)::geography) AS shared
                 FROM z WHERE ST_DWithin(z.geom, gaps.g, ${TOUCH})
               ) n JOIN organisations o ON o.id = n.owner_org_id
               WHERE n.shared > 0.01), '[]'::json) AS neighbours,
             coalesce((
               SELECT json_agg(json_build_object('id', ip.id, 'code', ip.code, 'name', ip.name) ORDER BY ip.code)
               FROM inspection_points ip WHERE ip.geom && gaps.g AND ST_Intersects(ip.geom, gaps.g)), '[]'::json) AS points,
             coalesce((
               SELECT sum(ST_Length(ST_Intersection(r.geom, gaps.g, 1e-10)::geography))
               FROM roads r WHERE r.geom && gaps.g AND ST_Intersects(r.geom, gaps.g)), 0)::float8 AS road_length_m
      FROM gaps
      ORDER BY gaps.area_m2 DESC`.execute(this.db);
    return rows.map((r) => ({ ...r, neighbours: jsonColumn(r.neighbours), points: jsonColumn(r.points) }));
  }

  /** Overlaps between zones of one duty type held by different owners, inside the area. */
  async overlaps(area: RawBuilder<unknown>, duty: string): Promise<OverlapRow[]> {
    const { rows } = await sql<OverlapRow>`
      WITH ${areaAndZones(area, duty)},
      pairs AS (
        SELECT a.id AS a_id, b.id AS b_id,
               (ST_Dump(ST_CollectionExtract(ST_MakeValid(ST_Intersection(ST_CollectionExtract(ST_Intersection(a.geom, b.geom, 1e-10), 3), area.g, 1e-10)), 3))).geom AS g
        FROM z a JOIN z b ON a.id < b.id AND a.owner_org_id <> b.owner_org_id AND a.geom && b.geom
                          AND ST_Relate(a.geom, b.geom, '2********'), area
      ),
      measured AS (
        SELECT a_id, b_id, g, ST_Area(g::geography) AS area_m2, ${widthM(sql`g`, sql`(SELECT srid FROM srid)`)} AS width_m
        FROM pairs WHERE NOT ST_IsEmpty(g) AND ST_Area(g) > 0
      )
      SELECT ST_AsGeoJSON(m.g, 8) AS geometry, m.area_m2::float8 AS area_m2, m.width_m::float8 AS width_m,
             json_build_array(
               json_build_object('zone_id', za.id, 'zone_name', za.name, 'owner_id', oa.id, 'owner_name', oa.name),
               json_build_object('zone_id', zb.id, 'zone_name', zb.name, 'owner_id', ob.id, 'owner_name', ob.name)) AS zones
      FROM measured m
      JOIN zones za ON za.id = m.a_id JOIN organisations oa ON oa.id = za.owner_org_id
      JOIN zones zb ON zb.id = m.b_id JOIN organisations ob ON ob.id = zb.owner_org_id
      ORDER BY m.area_m2 DESC`.execute(this.db);
    return rows.map((r) => ({ ...r, zones: jsonColumn(r.zones) }));
  }

  /**
   * Every inspection point with, per duty type, the number of current zones
   * containing it, and whether its leader, department and people are present.
   */
  async points(): Promise<PointCoverageRow[]> {
    const { rows } = await sql<PointCoverageRow>`
      SELECT ip.id, ip.code, ip.name, ip.point_type, ST_AsGeoJSON(ip.geom, 7) AS geometry,
             c.id AS community_id, c.name AS community_name, s.id AS street_id, s.name AS street_name,
             ip.leader_person_id IS NOT NULL AS has_leader,
             ip.department_org_id IS NOT NULL AS has_department,
             (SELECT count(*)::int FROM inspection_point_people pp WHERE pp.point_id = ip.id) AS people_count,
             (SELECT json_agg(json_build_object('duty', d.id, 'coverage', d.coverage, 'group', d.coverage_group,
                                                'zones', (SELECT count(*)::int FROM zones z
                                                           WHERE z.duty_type_id = d.id AND z.valid_to IS NULL
                                                             AND z.geom && ip.geom AND ST_Intersects(z.geom, ip.geom)))
                              ORDER BY d.sort, d.id)
                FROM duty_types d) AS duties
      FROM inspection_points ip
      LEFT JOIN territories c ON c.id = ip.territory_id
      LEFT JOIN territories s ON s.id = c.parent_id
      ORDER BY ip.code`.execute(this.db);
    return rows.map((r) => ({ ...r, duties: jsonColumn(r.duties) }));
  }

  /**
   * Per street and community: area, covered area, gap pieces and overlap
   * pieces of one duty (with their areas and widths, for the tolerance),
   * and ownerless road length.
   */
  async summary(duty: string, roadToleranceM: number): Promise<SummaryRow[]> {
    const { rows } = await sql<SummaryRow>`
      WITH u AS (SELECT ST_CollectionExtract(ST_Union(ST_MakeValid(geom), 1e-10), 3) AS g FROM zones WHERE duty_type_id = ${duty} AND valid_to IS NULL),
      z AS (SELECT id, owner_org_id, ST_MakeValid(geom) AS geom FROM zones WHERE duty_type_id = ${duty} AND valid_to IS NULL),
      ov AS (
        SELECT ST_Union(ST_CollectionExtract(ST_MakeValid(ST_Intersection(a.geom, b.geom, 1e-10)), 3), 1e-10) AS g
        FROM z a JOIN z b ON a.id < b.id AND a.owner_org_id <> b.owner_org_id AND a.geom && b.geom
                          AND ST_Relate(a.geom, b.geom, '2********')
      ),
      sec AS (SELECT ST_Union(ST_Buffer(geom::geography, ${roadToleranceM})::geometry, 1e-10) AS g FROM road_sections WHERE valid_to IS NULL),
      lost AS (
        SELECT ST_Union(CASE WHEN sec.g IS NULL THEN r.geom ELSE ST_CollectionExtract(ST_Difference(r.geom, sec.g, 1e-10), 2) END, 1e-10) AS g
        FROM roads r, sec
      ),
      t AS (
        SELECT t.id, t.level, t.code, t.name, t.parent_id, ST_MakeValid(t.geom) AS geom,
               CASE WHEN ST_Y(ST_Centroid(t.geom)) >= 0 THEN 32600 ELSE 32700 END
                 + least(60, floor((ST_X(ST_Centroid(t.geom)) + 180) / 6)::int + 1) AS srid
        FROM territories t WHERE t.level IN ('street', 'community')
      )
      SELECT t.id, t.level, t.code, t.name, t.parent_id,
             ST_Area(t.geom::geography)::float8 AS area_m2,
             CASE WHEN u.g IS NULL THEN 0
                  ELSE ST_Area(ST_CollectionExtract(ST_Intersection(t.geom, u.g, 1e-10), 3)::geography) END::float8 AS covered_m2,
             coalesce((
               SELECT json_agg(json_build_object('area_m2', ST_Area(p.g::geography),
                                                 'width_m', 2 * (ST_MaximumInscribedCircle(ST_Transform(p.g, t.srid))).radius))
               FROM (SELECT (ST_Dump(ST_CollectionExtract(ST_MakeValid(
                              CASE WHEN u.g IS NULL THEN t.geom ELSE ST_Difference(t.geom, u.g, 1e-10) END), 3))).geom AS g) p
               WHERE NOT ST_IsEmpty(p.g) AND ST_Area(p.g) > 0), '[]'::json) AS gaps,
             coalesce((
               SELECT json_agg(json_build_object('area_m2', ST_Area(p.g::geography),
                                                 'width_m', 2 * (ST_MaximumInscribedCircle(ST_Transform(p.g, t.srid))).radius))
               FROM (SELECT (ST_Dump(ST_CollectionExtract(ST_MakeValid(ST_Intersection(t.geom, ov.g, 1e-10)), 3))).geom AS g) p
               WHERE ov.g IS NOT NULL AND NOT ST_IsEmpty(p.g) AND ST_Area(p.g) > 0), '[]'::json) AS overlaps,
             CASE WHEN lost.g IS NULL THEN 0
                  ELSE ST_Length(ST_CollectionExtract(ST_Intersection(lost.g, t.geom, 1e-10), 2)::geography) END::float8 AS ownerless_road_m
      FROM t, u, ov, lost
      ORDER BY t.code`.execute(this.db);
    return rows.map((r) => ({ ...r, gaps: jsonColumn(r.gaps), overlaps: jsonColumn(r.overlaps) }));
  }

  /**
   * Cross-tier view of two duty types (city and town sanitation): pieces of
   * the area covered by both, and pieces covered by neither.
   */
  async crossTier(area: RawBuilder<unknown>, dutyA: string, dutyB: string): Promise<{ kind: 'both' | 'neither'; geometry: string; area_m2: number; width_m: number }[]> {
    const { rows } = await sql<{ kind: 'both' | 'neither'; geometry: string; area_m2: number; width_m: number }>`
      WITH area AS (SELECT ${area} AS g),
      srid AS (SELECT ${metricSrid(sql`(SELECT g FROM area)`)} AS srid),
      ua AS (SELECT ST_CollectionExtract(ST_Union(ST_MakeValid(z.geom), 1e-10), 3) AS g FROM zones z, area
              WHERE z.duty_type_id = ${dutyA} AND z.valid_to IS NULL AND z.geom && area.g),
      ub AS (SELECT ST_CollectionExtract(ST_Union(ST_MakeValid(z.geom), 1e-10), 3) AS g FROM zones z, area
              WHERE z.duty_type_id = ${dutyB} AND z.valid_to IS NULL AND z.geom && area.g),
      pieces AS (
        SELECT 'both' AS kind, (ST_Dump(ST_CollectionExtract(ST_MakeValid(
                 ST_Intersection(ST_CollectionExtract(ST_Intersection(ua.g, ub.g, 1e-10), 3), area.g, 1e-10)), 3))).geom AS g
        FROM area, ua, ub WHERE ua.g IS NOT NULL AND ub.g IS NOT NULL
        UNION ALL
        SELECT 'neither', (ST_Dump(ST_CollectionExtract(ST_MakeValid(
                 CASE WHEN coalesce(ua.g, ub.g) IS NULL THEN area.g
                      ELSE ST_Difference(area.g, ST_Union(coalesce(ua.g, ub.g), coalesce(ub.g, ua.g), 1e-10), 1e-10) END), 3))).geom
        FROM area, ua, ub
      )
      SELECT kind, ST_AsGeoJSON(g, 8) AS geometry, ST_Area(g::geography)::float8 AS area_m2,
             (${widthM(sql`g`, sql`(SELECT srid FROM srid)`)})::float8 AS width_m
      FROM pieces WHERE NOT ST_IsEmpty(g) AND ST_Area(g) > 0
      ORDER BY kind, ST_Area(g::geography) DESC`.execute(this.db);
    return rows;
  }

  /**
   * Roads inside the area not covered by any responsibility road section
   * (sections count within `toleranceM` metres of the road), and stretches
   * claimed by sections of two different units.
   */
  async roads(area: RawBuilder<unknown>, toleranceM: number): Promise<{
    ownerless: { road_id: number; road_name: string; road_class: string; geometry: string; length_m: number }[];
    contested: { geometry: string; length_m: number; sections: { section_id: number; section_name: string; owner_id: number; owner_name: string }[] }[];
  }> {
    const { rows: ownerless } = await sql<{ road_id: number; road_name: string; road_class: string; geometry: string; length_m: number }>`
      WITH area AS (SELECT ${area} AS g),
      r AS (SELECT r.id, r.name, r.road_class, ST_CollectionExtract(ST_Intersection(r.geom, area.g, 1e-10), 2) AS geom
              FROM roads r, area WHERE r.geom && area.g AND ST_Intersects(r.geom, area.g)),
      covered AS (
        SELECT r.id, ST_Union(ST_Buffer(s.geom::geography, ${toleranceM})::geometry, 1e-10) AS g
        FROM r JOIN road_sections s ON s.valid_to IS NULL AND ST_DWithin(s.geom::geography, r.geom::geography, ${toleranceM})
        GROUP BY r.id
      ),
      rest AS (
        SELECT r.id, r.name, r.road_class,
               ST_CollectionExtract(CASE WHEN c.g IS NULL THEN r.geom ELSE ST_Difference(r.geom, c.g, 1e-10) END, 2) AS g
        FROM r LEFT JOIN covered c ON c.id = r.id
      )
      SELECT id AS road_id, name AS road_name, road_class, ST_AsGeoJSON(g, 8) AS geometry, ST_Length(g::geography)::float8 AS length_m
      FROM rest WHERE NOT ST_IsEmpty(g) AND ST_Length(g::geography) > ${toleranceM}
      ORDER BY ST_Length(g::geography) DESC`.execute(this.db);
    const { rows: contested } = await sql<{ geometry: string; length_m: number; sections: unknown }>`
      WITH area AS (SELECT ${area} AS g),
      s AS (SELECT s.id, s.name, s.chief_org_id, s.geom FROM road_sections s, area
             WHERE s.valid_to IS NULL AND s.geom && area.g AND ST_Intersects(s.geom, area.g)),
      pairs AS (
        SELECT a.id AS a_id, b.id AS b_id,
               ST_CollectionExtract(ST_Intersection(ST_CollectionExtract(ST_Intersection(a.geom, ST_Buffer(b.geom::geography, ${toleranceM})::geometry, 1e-10), 2), area.g, 1e-10), 2) AS g
        FROM s a JOIN s b ON a.id < b.id AND a.chief_org_id <> b.chief_org_id
                          AND ST_DWithin(a.geom::geography, b.geom::geography, ${toleranceM}), area
      )
      SELECT ST_AsGeoJSON(p.g, 8) AS geometry, ST_Length(p.g::geography)::float8 AS length_m,
             json_build_array(
               json_build_object('section_id', sa.id, 'section_name', sa.name, 'owner_id', oa.id, 'owner_name', oa.name),
               json_build_object('section_id', sb.id, 'section_name', sb.name, 'owner_id', ob.id, 'owner_name', ob.name)) AS sections
      FROM pairs p
      JOIN road_sections sa ON sa.id = p.a_id JOIN organisations oa ON oa.id = sa.chief_org_id
      JOIN road_sections sb ON sb.id = p.b_id JOIN organisations ob ON ob.id = sb.chief_org_id
      WHERE NOT ST_IsEmpty(p.g) AND ST_Length(p.g::geography) > ${toleranceM}
      ORDER BY ST_Length(p.g::geography) DESC`.execute(this.db);
    return {
      ownerless,
      contested: contested.map((c) => ({ ...c, sections: jsonColumn(c.sections as never) })),
    };
  }
}
