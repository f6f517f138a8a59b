/**
 * `pnpm tiles:basemap [out.pmtiles]`: reads the district, its neighbours, the
 * river, the roads, the streets and the communities from PostGIS as GeoJSON,
 * cuts them into gzipped MVT tiles at z8–16 and writes a PMTiles archive
 * (default `<CIVGRID_DATA_DIR>/tiles/basemap.pmtiles`). The archive is
 * written beside its destination and renamed over it, so a server never
 * reads a half-written file.
 *
 * The one place in tiles/ that queries the database: the builder itself
 * (../basemap.ts) only receives GeoJSON.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createDatabase, type DB, migrateToLatest } from '@civgrid/db';
import type { Feature, Geometry } from 'geojson';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type BasemapLayer, buildBasemap } from '../basemap.ts';
import { writePMTilesFile } from '../pmtiles-writer.ts';
import type { BBox } from '../tile-math.ts';

const MIN_ZOOM = 8;
const MAX_ZOOM = 16;
const ATTRIBUTION = '© OpenStreetMap contributors (漓江); 区界 DataV';
/** Coordinates to 1e-7° (about 1 cm), as PMTiles headers store them. */
const DIGITS = 7;

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

async function readLayers(db: Kysely<DB>): Promise<BasemapLayer[]> {
  return [
    {
      id: 'district',
      description: '区界',
      features: await features(db, sql<Row>`SELECT name, code, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM territories WHERE level = 'district' ORDER BY id`),
    },
    {
      id: 'neighbours',
      description: '相邻区县',
      features: await features(db, sql<Row>`SELECT name, code, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM context_features WHERE kind = 'neighbour' ORDER BY id`),
    },
    {
      id: 'water',
      description: '河流与水面',
      features: await features(db, sql<Row>`SELECT name, kind, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM context_features WHERE kind IN ('river', 'water') ORDER BY id`),
    },
    {
      id: 'roads',
      description: '道路',
      features: await features(db, sql<Row>`SELECT name, road_class, ST_AsGeoJSON(geom, ${DIGITS}) AS geojson FROM roads ORDER BY id`),
    },
    { id: 'streets', description: '街道/乡镇：面 (kind=area) 与标注点 (kind=label)', features: await features(db, territoryLayer('street')) },
    { id: 'communities', description: '社区/村：面 (kind=area) 与标注点 (kind=label)', features: await features(db, territoryLayer('community')) },
  ];
}

async function districtBounds(db: Kysely<DB>): Promise<BBox | undefined> {
  const { rows } = await sql<{ w: number | null; s: number | null; e: number | null; n: number | null }>`
    SELECT ST_XMin(b) AS w, ST_YMin(b) AS s, ST_XMax(b) AS e, ST_YMax(b) AS n
      FROM (SELECT ST_Extent(geom)::box3d AS b FROM territories WHERE level = 'district') AS extent`.execute(db);
  const r = rows[0];
  if (!r || r.w === null || r.s === null || r.e === null || r.n === null) return undefined;
  return [Number(r.w), Number(r.s), Number(r.e), Number(r.n)];
}

const dataDir = process.env.CIVGRID_DATA_DIR ?? './data';
const out = resolve(process.argv[2] ?? join(dataDir, 'tiles', 'basemap.pmtiles'));
const started = performance.now();

const database = await createDatabase({ url: process.env.DATABASE_URL, dataDir });
let layers: BasemapLayer[];
let bounds: BBox | undefined;
try {
  await migrateToLatest(database.db as never);
  bounds = await districtBounds(database.db);
  layers = bounds ? await readLayers(database.db) : [];
} finally {
  await database.close();
}
if (!bounds) {
  console.error('No district in the database: run `pnpm seed` first.');
  process.exit(1);
}

const { tiles, writeOptions } = buildBasemap(layers, {
  minZoom: MIN_ZOOM,
  maxZoom: MAX_ZOOM,
  bounds,
  attribution: ATTRIBUTION,
  name: 'civgrid basemap',
});
if (tiles.length === 0) {
  console.error('The layers produced no tile.');
  process.exit(1);
}

await mkdir(dirname(out), { recursive: true });
const temp = `${out}.${process.pid}.tmp`;
try {
  const result = await writePMTilesFile(temp, tiles, writeOptions);
  await rename(temp, out);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${out}: ${tiles.length} tiles (z${MIN_ZOOM}–${MAX_ZOOM}), ${result.size.toLocaleString('en')} bytes, ${seconds} s`);
  for (const layer of layers) console.log(`  ${layer.id}: ${layer.features.length} features`);
} catch (error) {
  await rm(temp, { force: true });
  throw error;
}
