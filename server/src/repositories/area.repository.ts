import type { DB } from '@civgrid/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';

export interface CheckedPolygon {
  valid: boolean;
  /** Why PostGIS finds it invalid, when it does. */
  reason: string | null;
  /** The repaired polygon as GeoJSON, or null when nothing areal remains. */
  repaired: string | null;
  area_m2: number;
}

/** Analysis areas: the district, a territory, or a polygon the user drew. */
export class AreaRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async territory(id: number): Promise<{ id: number; level: string; code: string; name: string } | undefined> {
    return this.db.selectFrom('territories').select(['id', 'level', 'code', 'name']).where('id', '=', id).executeTakeFirst();
  }

  async district(): Promise<{ id: number; level: string; code: string; name: string } | undefined> {
    return this.db
      .selectFrom('territories')
      .select(['id', 'level', 'code', 'name'])
      .where('level', '=', 'district')
      .orderBy('id')
      .executeTakeFirst();
  }

  /** The box around every territory (minLon, minLat, maxLon, maxLat), or null when there is none. */
  async extent(): Promise<[number, number, number, number] | null> {
    const { rows } = await sql<{ x0: number | null; y0: number; x1: number; y1: number }>`
      SELECT ST_XMin(e)::float8 AS x0, ST_YMin(e)::float8 AS y0, ST_XMax(e)::float8 AS x1, ST_YMax(e)::float8 AS y1
      FROM (SELECT ST_Extent(geom) AS e FROM territories) s`.execute(this.db);
    const row = rows[0];
    return row && row.x0 !== null ? [row.x0, row.y0, row.x1, row.y1] : null;
  }

  /** SQL yielding a territory's geometry, for use inside coverage queries. */
  territoryGeom(id: number): RawBuilder<unknown> {
    return sql`(SELECT ST_MakeValid(geom) FROM territories WHERE id = ${id})`;
  }

  /** SQL yielding a checked, repaired GeoJSON polygon. */
  polygonGeom(geojson: string): RawBuilder<unknown> {
    return sql`(SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${geojson}), 4326)), 3)))`;
  }

  /** Validity and repair of a user-drawn polygon, done by PostGIS. */
  async checkPolygon(geojson: string): Promise<CheckedPolygon> {
    const { rows } = await sql<CheckedPolygon>`
      WITH input AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(${geojson}), 4326) AS g),
      fixed AS (SELECT g, ST_CollectionExtract(ST_MakeValid(g), 3) AS m FROM input)
      SELECT ST_IsValid(g) AS valid,
             CASE WHEN ST_IsValid(g) THEN NULL ELSE ST_IsValidReason(g) END AS reason,
             CASE WHEN ST_IsEmpty(m) OR ST_Area(m) = 0 THEN NULL ELSE ST_AsGeoJSON(ST_Multi(m), 9) END AS repaired,
             CASE WHEN ST_IsEmpty(m) THEN 0 ELSE ST_Area(m::geography) END::float8 AS area_m2
      FROM fixed`.execute(this.db);
    const row = rows[0];
    if (!row) throw new Error('polygon check returned nothing');
    return row;
  }
}
