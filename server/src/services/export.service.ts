import { chinaDay } from '@civgrid/db';
import { LAYERS, type LayerId } from '@civgrid/tiles';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import tokml from 'tokml';
import { toCsv } from '../http/csv.ts';
import type { LayerRepository } from '../repositories/layer.repository.ts';
import { toShapefiles } from './export-shapefile.ts';
import { writeZip } from './export-zip.ts';

export const EXPORT_FORMATS = ['geojson', 'shp', 'kml', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFile {
  body: Uint8Array<ArrayBuffer> | string;
  contentType: string;
  fileName: string;
}

const EXTENSIONS: Record<ExportFormat, string> = { geojson: 'geojson', shp: 'zip', kml: 'kml', csv: 'csv' };

/**
 * A map layer as a file: the same features as GET /api/layers/{layer}
 * (LayerRepository.featureCollection), written as GeoJSON, zipped
 * Shapefile (WGS84 .prj, UTF-8 .dbf with its .cpg), KML or CSV with a WKT
 * column.
 */
export class ExportService {
  constructor(private readonly layers: LayerRepository) {}

  async export(layer: LayerId, format: ExportFormat, duty: string | undefined, now = new Date()): Promise<ExportFile> {
    const text = await this.layers.featureCollection(layer, { duty });
    const base = `${layer}${duty ? `-${duty}` : ''}-${chinaDay(now)}`;
    const fileName = `${base}.${EXTENSIONS[format]}`;
    if (format === 'geojson') return { body: text, contentType: 'application/geo+json; charset=utf-8', fileName };
    const collection = JSON.parse(text) as FeatureCollection;
    switch (format) {
      case 'shp':
        return { body: writeZip(toShapefiles(base, collection.features)), contentType: 'application/zip', fileName };
      case 'kml': {
        const features = collection.features.map((f) => ({ ...f, properties: flatProperties(f.properties) }));
        const kml = tokml({ type: 'FeatureCollection', features }, { documentName: `${LAYERS[layer].zh} ${LAYERS[layer].en}`, name: 'name' });
        return { body: kml, contentType: 'application/vnd.google-earth.kml+xml; charset=utf-8', fileName };
      }
      case 'csv':
        return { body: csvOf(collection.features), contentType: 'text/csv; charset=utf-8', fileName };
    }
  }
}

/** Properties as text or numbers (KML's ExtendedData holds text; nested values become JSON). */
function flatProperties(properties: Record<string, unknown> | null): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(properties ?? {})) {
    out[key] = value === undefined ? null : typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as string | number | boolean | null);
  }
  return out;
}

/** One row per feature: its properties (columns in the order first seen), then the geometry as WKT. */
function csvOf(features: Feature[]): string {
  const keys: string[] = [];
  for (const f of features) for (const key of Object.keys(f.properties ?? {})) if (!keys.includes(key)) keys.push(key);
  const rows = features.map((f) => {
    const p = flatProperties(f.properties);
    return [...keys.map((k) => p[k] ?? null), f.geometry ? wkt(f.geometry) : ''];
  });
  return toCsv([...keys, 'wkt'], rows);
}

const pos = (p: Position) => `${p[0]} ${p[1]}`;
const path = (ps: Position[]) => `(${ps.map(pos).join(', ')})`;
const rings = (rs: Position[][]) => `(${rs.map(path).join(', ')})`;

/** Well-known text of a GeoJSON geometry (2D). */
export function wkt(g: Geometry): string {
  if (g.type === 'GeometryCollection' ? g.geometries.length === 0 : g.coordinates.length === 0) return `${g.type.toUpperCase()} EMPTY`;
  switch (g.type) {
    case 'Point':
      return `POINT (${pos(g.coordinates)})`;
    case 'MultiPoint':
      return `MULTIPOINT (${g.coordinates.map((p) => `(${pos(p)})`).join(', ')})`;
    case 'LineString':
      return `LINESTRING ${path(g.coordinates)}`;
    case 'MultiLineString':
      return `MULTILINESTRING ${rings(g.coordinates)}`;
    case 'Polygon':
      return `POLYGON ${rings(g.coordinates)}`;
    case 'MultiPolygon':
      return `MULTIPOLYGON (${g.coordinates.map(rings).join(', ')})`;
    case 'GeometryCollection':
      return `GEOMETRYCOLLECTION (${g.geometries.map(wkt).join(', ')})`;
  }
}
