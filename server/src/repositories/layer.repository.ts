import type { DB } from '@civgrid/db';
import type { LayerId } from '@civgrid/tiles';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';
import type { BBox } from '../http/geo-params.ts';

export interface LayerQuery {
  bbox?: BBox | undefined;
  /** Duty type id, for the zones layer. */
  duty?: string | undefined;
  /** Zones as they stood at this instant (from their version rows) instead of now. */
  asOf?: Date | undefined;
}

export interface HistoryCursor {
  changedAt: string;
  id: number;
  version: number;
}

/** One saved version of a zone or road section, in the history of its layer. */
export interface LayerChange {
  id: number;
  version: number;
  name: string;
  ownerName: string | null;
  deleted: boolean;
  changedAt: string;
  changedBy: string | null;
  comment: string | null;
  /** Where the next page starts when this is the last change of a page (microsecond precision). */
  cursor: string;
}

export interface LayerCounts {
  layers: { id: LayerId; count: number }[];
  pointTypes: { id: string; count: number }[];
  zones: { duty: string; count: number }[];
}

/** Index-friendly bounding-box filter (`&&` uses the GiST index). */
function inBBox(column: RawBuilder<unknown>, bbox: BBox | undefined): RawBuilder<unknown> {
  if (!bbox) return sql`true`;
  const [minLon, minLat, maxLon, maxLat] = bbox;
  return sql`${column} && ST_MakeEnvelope(${minLon}, ${minLat}, ${maxLon}, ${maxLat}, 4326)`;
}

/** Wraps a `SELECT … AS f` of GeoJSON features into one FeatureCollection text, built by the database. */
function collection(features: RawBuilder<unknown>): RawBuilder<{ fc: string }> {
  return sql<{ fc: string }>`
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(x.f), '[]'::json))::text AS fc
    FROM (${features}) x`;
}

/** As every export keeps them (COORDINATE_DECIMALS): 1e-7° ≈ 1 cm, so a layer exported and imported again lands where it was. */
const GEOJSON_DIGITS = 7;

/**
 * Map layers as GeoJSON FeatureCollections. PostGIS builds the JSON; the
 * server passes the text through without parsing it.
 */
export class LayerRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * The saves of a versioned layer (zones of one duty, or road sections),
   * newest first: `limit` of them after the cursor `before` (the last change
   * of the previous page: one write can save several rows at one instant).
   */
  async history(layer: 'zones' | 'road-sections', duty: string | undefined, before: HistoryCursor | undefined, limit: number): Promise<LayerChange[]> {
    const key = layer === 'zones' ? sql`v.zone_id` : sql`v.section_id`;
    const cut = before ? sql`(v.changed_at, ${key}, v.version) < (${before.changedAt}::text::timestamptz, ${before.id}, ${before.version})` : sql`true`;
    const { rows } = layer === 'zones'
      ? await sql<LayerChange>`
          SELECT v.zone_id AS id, v.version, v.name, o.name AS "ownerName", v.deleted, v.changed_at AS "changedAt", v.changed_by AS "changedBy", v.comment,
                 to_char(v.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ',' || ${key} || ',' || v.version AS cursor
          FROM zone_versions v LEFT JOIN organisations o ON o.id = v.owner_org_id
          WHERE v.duty_type_id = ${duty ?? ''} AND ${cut}
          ORDER BY v.changed_at DESC, v.zone_id DESC, v.version DESC LIMIT ${limit}`.execute(this.db)
      : await sql<LayerChange>`
          SELECT v.section_id AS id, v.version, v.name, o.name AS "ownerName", v.deleted, v.changed_at AS "changedAt", v.changed_by AS "changedBy", v.comment,
                 to_char(v.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ',' || ${key} || ',' || v.version AS cursor
          FROM road_section_versions v LEFT JOIN organisations o ON o.id = v.chief_org_id
          WHERE ${cut}
          ORDER BY v.changed_at DESC, v.section_id DESC, v.version DESC LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => ({ ...r, changedAt: new Date(r.changedAt).toISOString() }));
  }

  async featureCollection(layer: LayerId, query: LayerQuery = {}): Promise<string> {
    const features = this.features(layer, query);
    const { rows } = await collection(features).execute(this.db);
    return rows[0]?.fc ?? '{"type":"FeatureCollection","features":[]}';
  }

  private features(layer: LayerId, { bbox, duty, asOf }: LayerQuery): RawBuilder<unknown> {
    if (layer === 'zones' && asOf) return zonesAsOf(duty ?? '', asOf, bbox);
    if (layer === 'road-sections' && asOf) return sectionsAsOf(asOf, bbox);
    switch (layer) {
      case 'district':
      case 'streets':
      case 'communities':
      case 'grids': {
        const level = { district: 'district', streets: 'street', communities: 'community', grids: 'grid' }[layer];
        return sql`
          SELECT json_build_object('type', 'Feature', 'id', t.id,
                   'geometry', ST_AsGeoJSON(t.geom, ${GEOJSON_DIGITS})::json,
                   'properties', json_build_object('id', t.id, 'code', t.code, 'name', t.name, 'level', t.level,
                                                   'parent_id', t.parent_id, 'parent_name', p.name,
                                                   'area_m2', round(ST_Area(t.geom::geography)::numeric, 1))) AS f
          FROM territories t LEFT JOIN territories p ON p.id = t.parent_id
          WHERE t.level = ${level} AND ${inBBox(sql`t.geom`, bbox)}
          ORDER BY t.code`;
      }
      case 'roads':
        return sql`
          SELECT json_build_object('type', 'Feature', 'id', r.id,
                   'geometry', ST_AsGeoJSON(r.geom, ${GEOJSON_DIGITS})::json,
                   'properties', json_build_object('id', r.id, 'name', r.name, 'road_class', r.road_class,
                                                   'length_m', round(ST_Length(r.geom::geography)::numeric, 1))) AS f
          FROM roads r
          WHERE ${inBBox(sql`r.geom`, bbox)}
          ORDER BY r.id`;
      case 'road-sections':
        return sql`
          SELECT json_build_object('type', 'Feature', 'id', s.id,
                   'geometry', ST_AsGeoJSON(s.geom, ${GEOJSON_DIGITS})::json,
                   'properties', json_build_object('id', s.id, 'name', s.name, 'road_id', s.road_id, 'road_name', r.name,
                                                   'owner_id', o.id, 'owner_name', o.name,
                                                   'person_name', p.name, 'person_phone', p.phone, 'version', s.version,
                                                   'length_m', round(ST_Length(s.geom::geography)::numeric, 1))) AS f
          FROM road_sections s
          JOIN organisations o ON o.id = s.chief_org_id
          LEFT JOIN people p ON p.id = s.chief_person_id
          LEFT JOIN roads r ON r.id = s.road_id
          WHERE s.valid_to IS NULL AND ${inBBox(sql`s.geom`, bbox)}
          ORDER BY s.id`;
      case 'inspection-points':
        return sql`
          SELECT json_build_object('type', 'Feature', 'id', ip.id,
                   'geometry', ST_AsGeoJSON(ip.geom, ${GEOJSON_DIGITS})::json,
                   'properties', json_build_object('id', ip.id, 'code', ip.code, 'name', ip.name, 'point_type', ip.point_type,
                                                   'owner_id', d.id, 'owner_name', d.name,
                                                   'leader_name', l.name, 'community_name', t.name,
                                                   'people_count', (SELECT count(*)::int FROM inspection_point_people pp WHERE pp.point_id = ip.id))) AS f
          FROM inspection_points ip
          LEFT JOIN organisations d ON d.id = ip.department_org_id
          LEFT JOIN people l ON l.id = ip.leader_person_id
          LEFT JOIN territories t ON t.id = ip.territory_id
          WHERE ${inBBox(sql`ip.geom`, bbox)}
          ORDER BY ip.code`;
      case 'zones':
        return sql`
          SELECT json_build_object('type', 'Feature', 'id', z.id,
                   'geometry', ST_AsGeoJSON(z.geom, ${GEOJSON_DIGITS})::json,
                   'properties', json_build_object('id', z.id, 'name', z.name, 'duty', z.duty_type_id,
                                                   'owner_id', o.id, 'owner_name', o.name,
                                                   'person_name', p.name, 'person_phone', p.phone,
                                                   'version', z.version, 'valid_from', z.valid_from,
                                                   'area_m2', round(ST_Area(z.geom::geography)::numeric, 1))) AS f
          FROM zones z
          JOIN organisations o ON o.id = z.owner_org_id
          LEFT JOIN people p ON p.id = z.person_id
          WHERE z.duty_type_id = ${duty ?? ''} AND z.valid_to IS NULL AND ${inBBox(sql`z.geom`, bbox)}
          ORDER BY z.id`;
      case 'context':
        return sql`
          SELECT json_build_object('type', 'Feature', 'id', c.id,
                   'geometry', ST_AsGeoJSON(c.geom, ${GEOJSON_DIGITS})::json,
                   'properties', json_build_object('id', c.id, 'kind', c.kind, 'name', c.name, 'code', c.code)) AS f
          FROM context_features c
          WHERE ${inBBox(sql`c.geom`, bbox)}
          ORDER BY c.kind, c.id`;
    }
  }

  /** The district's extent [minLon, minLat, maxLon, maxLat], or null before one is loaded. */
  async districtBounds(): Promise<[number, number, number, number] | null> {
    const { rows } = await sql<{ b: [number, number, number, number] | null }>`
      SELECT CASE WHEN count(*) = 0 THEN NULL
                  ELSE json_build_array(ST_XMin(ST_Extent(geom)), ST_YMin(ST_Extent(geom)), ST_XMax(ST_Extent(geom)), ST_YMax(ST_Extent(geom))) END AS b
      FROM territories WHERE level = 'district'`.execute(this.db);
    const b = rows[0]?.b;
    return b ? jsonColumn(b) : null;
  }

  /** Feature counts for the layer list and its legend. */
  async counts(): Promise<LayerCounts> {
    const { rows } = await sql<{ layer: LayerId; n: number }>`
      SELECT 'district' AS layer, count(*)::int AS n FROM territories WHERE level = 'district'
      UNION ALL SELECT 'streets', count(*)::int FROM territories WHERE level = 'street'
      UNION ALL SELECT 'communities', count(*)::int FROM territories WHERE level = 'community'
      UNION ALL SELECT 'grids', count(*)::int FROM territories WHERE level = 'grid'
      UNION ALL SELECT 'roads', count(*)::int FROM roads
      UNION ALL SELECT 'road-sections', count(*)::int FROM road_sections WHERE valid_to IS NULL
      UNION ALL SELECT 'inspection-points', count(*)::int FROM inspection_points
      UNION ALL SELECT 'zones', count(*)::int FROM zones WHERE valid_to IS NULL
      UNION ALL SELECT 'context', count(*)::int FROM context_features`.execute(this.db);
    const pointTypes = await this.db
      .selectFrom('inspection_points')
      .select(['point_type as id', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('point_type')
      .orderBy('point_type')
      .execute();
    const zones = await this.db
      .selectFrom('duty_types as d')
      .leftJoin('zones as z', (join) => join.onRef('z.duty_type_id', '=', 'd.id').on('z.valid_to', 'is', null))
      .select(['d.id as duty', (eb) => eb.fn.count<number>('z.id').as('count')])
      .groupBy(['d.id', 'd.sort'])
      .orderBy('d.sort')
      .execute();
    return {
      layers: rows.map((r) => ({ id: r.layer, count: r.n })),
      pointTypes: pointTypes.map((r) => ({ id: r.id, count: Number(r.count) })),
      zones: zones.map((r) => ({ duty: r.duty, count: Number(r.count) })),
    };
  }
}

/**
 * The zones of a duty as they stood at `asOf`: per zone, its last version
 * saved before then, unless that version deleted it. The same properties as
 * the live layer, so the map draws both alike.
 */
function zonesAsOf(duty: string, asOf: Date, bbox: BBox | undefined): RawBuilder<unknown> {
  return sql`
    SELECT json_build_object('type', 'Feature', 'id', v.zone_id,
             'geometry', ST_AsGeoJSON(v.geom, ${GEOJSON_DIGITS})::json,
             'properties', json_build_object('id', v.zone_id, 'name', v.name, 'duty', v.duty_type_id,
                                             'owner_id', o.id, 'owner_name', o.name,
                                             'person_name', p.name, 'person_phone', p.phone,
                                             'version', v.version, 'valid_from', v.valid_from,
                                             'area_m2', round(ST_Area(v.geom::geography)::numeric, 1))) AS f
    FROM (SELECT DISTINCT ON (zone_id) * FROM zone_versions WHERE changed_at <= ${asOf} ORDER BY zone_id, version DESC) v
    JOIN organisations o ON o.id = v.owner_org_id
    LEFT JOIN people p ON p.id = v.person_id
    WHERE NOT v.deleted AND v.geom IS NOT NULL AND v.duty_type_id = ${duty} AND ${inBBox(sql`v.geom`, bbox)}
    ORDER BY v.zone_id`;
}

/** The road sections as they stood at `asOf`, like zonesAsOf. */
function sectionsAsOf(asOf: Date, bbox: BBox | undefined): RawBuilder<unknown> {
  return sql`
    SELECT json_build_object('type', 'Feature', 'id', v.section_id,
             'geometry', ST_AsGeoJSON(v.geom, ${GEOJSON_DIGITS})::json,
             'properties', json_build_object('id', v.section_id, 'name', v.name, 'road_id', v.road_id, 'road_name', r.name,
                                             'owner_id', o.id, 'owner_name', o.name,
                                             'person_name', p.name, 'person_phone', p.phone, 'version', v.version,
                                             'length_m', round(ST_Length(v.geom::geography)::numeric, 1))) AS f
    FROM (SELECT DISTINCT ON (section_id) * FROM road_section_versions WHERE changed_at <= ${asOf} ORDER BY section_id, version DESC) v
    JOIN organisations o ON o.id = v.chief_org_id
    LEFT JOIN people p ON p.id = v.chief_person_id
    LEFT JOIN roads r ON r.id = v.road_id
    WHERE NOT v.deleted AND v.geom IS NOT NULL AND ${inBBox(sql`v.geom`, bbox)}
    ORDER BY v.section_id`;
}
