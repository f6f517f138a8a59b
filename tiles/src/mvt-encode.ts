import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Geometry, Position } from 'geojson';

/**
 * MVT encoding for the embedded engine, whose PostGIS has no ST_AsMVT: the
 * database clips, simplifies and quantises geometry to tile coordinates (the
 * work ST_AsMVTGeom does), and this turns those rows into a protobuf tile
 * with @maplibre/vt-pbf, so both engines serve the same features.
 */
export const MVT_EXTENT = 4096;

export interface TileRow {
  id: number;
  /** GeoJSON geometry already in tile coordinates (0…extent, y down). */
  geometry: Geometry;
  properties: Record<string, string | number | boolean | null>;
}

interface VtFeature {
  id: number;
  type: 1 | 2 | 3;
  tags: Record<string, string | number | boolean>;
  geometry: [number, number][] | [number, number][][];
}

const xy = (p: Position): [number, number] => [p[0] as number, p[1] as number];

function toVt(row: TileRow): VtFeature | null {
  const tags: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(row.properties)) if (value !== null && value !== undefined) tags[key] = value;
  const g = row.geometry;
  switch (g.type) {
    case 'Point':
      return { id: row.id, type: 1, tags, geometry: [xy(g.coordinates)] };
    case 'MultiPoint':
      return g.coordinates.length ? { id: row.id, type: 1, tags, geometry: g.coordinates.map(xy) } : null;
    case 'LineString':
      return { id: row.id, type: 2, tags, geometry: [g.coordinates.map(xy)] };
    case 'MultiLineString':
      return g.coordinates.length ? { id: row.id, type: 2, tags, geometry: g.coordinates.map((l) => l.map(xy)) } : null;
    case 'Polygon':
      return g.coordinates.length ? { id: row.id, type: 3, tags, geometry: g.coordinates.map((r) => r.map(xy)) } : null;
    case 'MultiPolygon':
      return g.coordinates.length ? { id: row.id, type: 3, tags, geometry: g.coordinates.flatMap((p) => p.map((r) => r.map(xy))) } : null;
    default:
      return null;
  }
}

/** One MVT (version 2) tile with one layer per entry; empty layers are left out. */
export function encodeMvt(layers: Record<string, TileRow[]>, extent = MVT_EXTENT): Uint8Array {
  const tiles: Record<string, { features: VtFeature[] }> = {};
  for (const [name, rows] of Object.entries(layers)) {
    const features = rows.map(toVt).filter((f): f is VtFeature => f !== null);
    if (features.length) tiles[name] = { features };
  }
  return fromGeojsonVt(tiles as never, { version: 2, extent });
}
