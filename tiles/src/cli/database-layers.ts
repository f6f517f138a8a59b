/**
 * Reads map layers from PostGIS as GeoJSON for the offline tile builders:
 * `pnpm tiles:basemap` (basemap.ts) and `pnpm tiles:publish` (publish.ts).
 * With the two CLIs, the only code in tiles/ that queries the database.
 */
import type { DB } from '@civgrid/db';
import type { Feature, Geometry } from 'geojson';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { BasemapLayer } from '../basemap.ts';
import { type SnapshotLayerId, sourceLayerName, zoneDuty } from '../snapshot-layers.ts';
import type { BBox } from '../tile-math.ts';

/** Coordinates to 1e-7° (about 1 cm), as PMTiles headers store them. */
const DIGITS = 7;

/** Every layer the builders can read: the snapshot's, plus the basemap's context layers. */
export type DatabaseLayerId = SnapshotLayerId | 'neighbours' | 'water';

type Row = { geojson: string } & Record<string, string | number | null>;

async function features(db: Kysely<DB>, query: RawBuilder<Row>): Promise<Feature[]> {
  const { rows } = await query.execute(db);
  return rows.map(({ geojson, ...properties }) => ({
    type: 'Feature',
    properties,
    geometry: JSON.parse(geojson) as Geometry,
  }));
}

/** Polygons of one territory level, then a label point inside each (ST_PointOnSurface). */
function territoryLayer(level: 'street' | 'community') {
  return sql<Row>`
    SELECT name, code, 'area' AS kind, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM territories WHERE level = ${level}
    UNION ALL
    SELECT name, code, 'label' AS kind, ST_AsGeoJSON(ST_PointOnSurface(geom), ${DIGITS}) AS geojson FROM territories WHERE level = ${level}`;
}

export interface DutyType {
  id: string;
  name_zh: string;
  color: string;
}

export async function readDutyTypes(db: Kysely<DB>): Promise<DutyType[]> {
  return db.selectFrom('duty_types').select(['id', 'name_zh', 'color']).orderBy('sort').orderBy('id').execute();
}

/** One layer, named as in the tiles (`zones:x` becomes `zones-x`). Current zones and road sections only. */
export async function readLayer(db: Kysely<DB>, layer: DatabaseLayerId): Promise<BasemapLayer> {
  const duty = layer === 'neighbours' || layer === 'water' ? undefined : zoneDuty(layer);
  if (duty !== undefined) {
    const type = await db.selectFrom('duty_types').select(['name_zh']).where('id', '=', duty).executeTakeFirst();
    if (!type) throw new Error(`unknown duty type "${duty}" (layer ${layer})`);
    return {
      id: sourceLayerName(layer as SnapshotLayerId),
      description: `责任区：${type.name_zh}`,
      features: await features(db, sql<Row>`
        SELECT z.name, o.name AS owner, ST_AsGeoJSON(z.geom, ${DIGITS}) AS geojson
          FROM zones z JOIN organisations o ON o.id = z.owner_org_id
         WHERE z.duty_type_id = ${duty} AND z.valid_to IS NULL ORDER BY z.id`),
    };
  }
  switch (layer) {
    case 'district':
      return {
        id: 'district',
        description: '区界',
        features: await features(db, sql<Row>`SELECT name, code, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM territories WHERE level = 'district' ORDER BY id`),
      };
    case 'neighbours':
      return {
        id: 'neighbours',
        description: '相邻区县',
        features: await features(db, sql<Row>`SELECT name, code, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM context_features WHERE kind = 'neighbour' ORDER BY id`),
      };
    case 'water':
      return {
        id: 'water',
        description: '河流与水面',
        features: await features(db, sql<Row>`SELECT name, kind, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM context_features WHERE kind IN ('river', 'water') ORDER BY id`),
      };
    case 'roads':
      return {
        id: 'roads',
        description: '道路',
        features: await features(db, sql<Row>`SELECT name, road_class, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM roads ORDER BY id`),
      };
    case 'streets':
      return { id: 'streets', description: '街道/乡镇：面 (kind=area) 与标注点 (kind=label)', features: await features(db, territoryLayer('street')) };
    case 'communities':
      return { id: 'communities', description: '社区/村：面 (kind=area) 与标注点 (kind=label)', features: await features(db, territoryLayer('community')) };
    case 'grids':
      return {
        id: 'grids',
        description: '网格',
        features: await features(db, sql<Row>`SELECT name, code, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM territories WHERE level = 'grid' ORDER BY code`),
      };
    case 'road-sections':
      return {
        id: 'road-sections',
        description: '责任路段',
        features: await features(db, sql<Row>`
          SELECT s.name, o.name AS owner, ST_AsGeoJSON(s.geom, ${DIGITS}) AS geojson
            FROM road_sections s JOIN organisations o ON o.id = s.chief_org_id
           WHERE s.valid_to IS NULL ORDER BY s.id`),
      };
    case 'inspection-points':
      return {
        id: 'inspection-points',
        description: '备检点',
        features: await features(db, sql<Row>`SELECT code, name, point_type, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM inspection_points ORDER BY code`),
      };
    default:
      throw new Error(`no reader for layer ${layer}`);
  }
}

export async function readLayers(db: Kysely<DB>, layers: readonly DatabaseLayerId[]): Promise<BasemapLayer[]> {
  const read: BasemapLayer[] = [];
  for (const layer of layers) read.push(await readLayer(db, layer));
  return read;
}

/** The district's extent, or undefined when the database has no district (not seeded). */
export async function districtBounds(db: Kysely<DB>): Promise<BBox | undefined> {
  const { rows } = await sql<{ w: number | null; s: number | null; e: number | null; n: number | null }>`
    SELECT ST_XMin(b) AS w, ST_YMin(b) AS s, ST_XMax(b) AS e, ST_YMax(b) AS n
      FROM (SELECT ST_Extent(geom)::box3d AS b FROM territories WHERE level = 'district') AS extent`.execute(db);
  const r = rows[0];
  if (!r || r.w === null || r.s === null || r.e === null || r.n === null) return undefined;
  return [Number(r.w), Number(r.s), Number(r.e), Number(r.n)];
}
