import { readFileSync } from 'node:fs';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import gcoord from 'gcoord';

/**
 * The real data the demo district is built on (see db/data/SOURCES.md): the
 * boundary of 象山区 and its neighbours (DataV, GCJ-02, converted here to
 * WGS84 because civgrid never stores GCJ-02) and the Li River (OSM, WGS84).
 */
export interface SourceFeature {
  name: string;
  code: string | null;
  /** GeoJSON geometry in WGS84, as text for ST_GeomFromGeoJSON. */
  geojson: string;
}

export interface SourceData {
  district: SourceFeature;
  /** Every other district or county of 桂林市. */
  neighbours: SourceFeature[];
  /** The ways of the Li River. */
  river: SourceFeature[];
}

export const DISTRICT_CODE = '450304';

const dataFile = (name: string) => new URL(`../../data/${name}`, import.meta.url);

function readCollection(name: string): FeatureCollection {
  const parsed = JSON.parse(readFileSync(dataFile(name), 'utf8')) as FeatureCollection | Feature[];
  // some DataV dumps are a bare array of features
  return Array.isArray(parsed) ? { type: 'FeatureCollection', features: parsed } : parsed;
}

/** GCJ-02 (Amap/DataV) → WGS84 with gcoord; the geometry is copied, not mutated. */
export function gcj02ToWgs84(geometry: Geometry): Geometry {
  const copy = structuredClone(geometry);
  return gcoord.transform(copy as never, gcoord.GCJ02, gcoord.WGS84) as unknown as Geometry;
}

function toSource(feature: Feature, convert: boolean): SourceFeature {
  if (!feature.geometry) throw new Error('source feature without geometry');
  const props = feature.properties ?? {};
  const code = props.adcode === undefined || props.adcode === null ? null : String(props.adcode);
  const geometry = convert ? gcj02ToWgs84(feature.geometry) : feature.geometry;
  return { name: String(props.name ?? ''), code, geojson: JSON.stringify(geometry) };
}

export function loadSourceData(): SourceData {
  const district = readCollection('xiangshan_450304_datav_gcj02.geojson').features
    .find((f) => String(f.properties?.adcode) === DISTRICT_CODE);
  if (!district) throw new Error(`district ${DISTRICT_CODE} not found in the boundary file`);
  const neighbours = readCollection('guilin_450300_full_datav_gcj02.geojson').features
    .filter((f) => f.geometry && String(f.properties?.adcode) !== DISTRICT_CODE)
    .map((f) => toSource(f, true));
  const river = readCollection('guilin_lijiang_river_osm_wgs84.geojson').features
    .filter((f) => f.geometry)
    .map((f) => toSource(f, false));
  return { district: toSource(district, true), neighbours, river };
}
