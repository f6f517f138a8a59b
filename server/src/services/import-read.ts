import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { parseDbf, parseShp } from 'shpjs';
import { badRequest } from '../http/errors.ts';
import type { FileKind } from '../http/upload.ts';
import { unzipEntry, zipEntries } from './import-zip.ts';

/** The coordinate systems a planner can name; anything else comes with a .prj that says it. */
export const CRS_IDS = ['wgs84', 'gcj02', 'epsg3857'] as const;
export type CrsId = (typeof CRS_IDS)[number];

/** What the file itself says about its coordinates. */
export interface DeclaredCrs {
  /** 'projected': a .prj naming another projection, already converted to WGS84 while reading. */
  id: CrsId | 'projected';
  source: 'prj' | 'geojson' | 'kml';
  name?: string | undefined;
}

export interface RawFeature {
  geometry: unknown;
  properties: Record<string, unknown>;
}

export interface ReadResult {
  format: 'geojson' | 'shapefile' | 'kml';
  features: RawFeature[];
  declared: DeclaredCrs | null;
}

const unreadable = (reason: string) => badRequest('unreadable_file', `The file cannot be read: ${reason}.`);

/**
 * Reads an uploaded file into features, by the kind its bytes show.
 * `requested`: the coordinate system the planner chose; a shapefile's .prj
 * is then not applied (a GCJ-02 file often carries a WGS84 .prj).
 */
export function readFile(bytes: Uint8Array, kind: FileKind, requested: CrsId | undefined): ReadResult {
  if (kind === 'zip') return readShapefileZip(bytes, requested);
  const text = decodeText(bytes);
  if (kind === 'xml') return readKml(text);
  return readGeoJson(text);
}

function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw unreadable('it is not UTF-8 text');
  }
}

function readGeoJson(text: string): ReadResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw unreadable(`it is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
  const features = geoJsonFeatures(value);
  if (!features) throw unreadable('it is JSON but not GeoJSON (expected a FeatureCollection, a Feature or a geometry)');
  return { format: 'geojson', features, declared: geoJsonCrs(value) };
}

const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asFeature(value: unknown): RawFeature | null {
  if (!isObject(value)) return null;
  if (value.type === 'Feature') return { geometry: value.geometry ?? null, properties: isObject(value.properties) ? value.properties : {} };
  if (typeof value.type === 'string' && GEOMETRY_TYPES.has(value.type)) return { geometry: value, properties: {} };
  return null;
}

function geoJsonFeatures(value: unknown): RawFeature[] | null {
  // DataV and some exporters write a bare array of Features.
  const list = Array.isArray(value) ? value : isObject(value) && value.type === 'FeatureCollection' ? value.features : undefined;
  if (list !== undefined) {
    if (!Array.isArray(list)) return null;
    // A member that is not a feature is kept as a feature without geometry, so it is reported, not skipped.
    return list.map((f) => asFeature(f) ?? { geometry: null, properties: {} });
  }
  const one = asFeature(value);
  return one ? [one] : null;
}

/** The old (2008) GeoJSON `crs` member: only Web Mercator changes anything here. */
function geoJsonCrs(value: unknown): DeclaredCrs | null {
  if (!isObject(value) || !isObject(value.crs) || !isObject(value.crs.properties)) return null;
  const name = String(value.crs.properties.name ?? '');
  if (/(3857|900913|102100|3785)\b/.test(name)) return { id: 'epsg3857', source: 'geojson', name };
  if (/(4326|4490|CRS84)\b/i.test(name)) return { id: 'wgs84', source: 'geojson', name };
  return null;
}

function readKml(text: string): ReadResult {
  let doc: ReturnType<DOMParser['parseFromString']>;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, 'text/xml');
  } catch (error) {
    throw unreadable(`it is not well-formed XML (${String((error as Error).message).split('\n')[0]?.slice(0, 160)})`);
  }
  const root = doc.documentElement;
  if (root?.localName !== 'kml') throw unreadable(`it is XML but not KML (the root element is <${root?.localName ?? 'none'}>)`);
  let collection: { features: { geometry: unknown; properties: Record<string, unknown> | null }[] };
  try {
    collection = kml(doc);
  } catch (error) {
    throw unreadable(`the KML cannot be converted (${(error as Error).message.slice(0, 120)})`);
  }
  const features = collection.features.map((f) => ({ geometry: f.geometry ?? null, properties: f.properties ?? {} }));
  return { format: 'kml', features, declared: { id: 'wgs84', source: 'kml' } };
}

/** Names a .prj may give Web Mercator under. */
const WEB_MERCATOR = /Mercator_Auxiliary_Sphere|Pseudo[_ -]?Mercator|Popular[_ ]Visualisation|Web[_ ]Mercator|"EPSG","?(3857|900913|102100)|\b(3857|900913)\b/i;

/** What a .prj names: geographic (taken as WGS84/CGCS2000), Web Mercator, or another projection. */
export function prjCrs(prj: string): DeclaredCrs {
  const name = /^\s*(?:PROJCS|GEOGCS|PROJCRS|GEOGCRS)\s*\[\s*"([^"]*)"/i.exec(prj)?.[1];
  if (/^\s*PROJ(CS|CRS)\b/i.test(prj)) return { id: WEB_MERCATOR.test(prj) ? 'epsg3857' : 'projected', source: 'prj', name };
  return { id: 'wgs84', source: 'prj', name };
}

/**
 * A zipped shapefile: every .shp in the archive (in folders too) with its
 * .dbf, .prj and .cpg. Without a .cpg the .dbf is read as UTF-8, or as GBK
 * when its language driver says Chinese or its bytes are not UTF-8.
 */
function readShapefileZip(bytes: Uint8Array, requested: CrsId | undefined): ReadResult {
  const entries = zipEntries(bytes).filter((e) => !e.name.includes('__MACOSX/') && !/(^|\/)\._/.test(e.name));
  const byName = new Map(entries.map((e) => [e.name.toLowerCase(), e]));
  const shps = entries.filter((e) => e.name.toLowerCase().endsWith('.shp'));
  if (shps.length === 0) throw unreadable('the zip holds no .shp file (a shapefile needs its .shp, .dbf and .prj)');
  const features: RawFeature[] = [];
  let declared: DeclaredCrs | null = null;
  for (const shp of shps) {
    const base = shp.name.slice(0, -4).toLowerCase();
    const part = (ext: string) => {
      const entry = byName.get(`${base}.${ext}`);
      return entry ? Buffer.from(unzipEntry(bytes, entry)) : undefined;
    };
    const prjText = part('prj')?.toString('utf-8');
    const prj = prjText ? prjCrs(prjText) : null;
    declared ??= prj;
    // Another projection is undone by shpjs (proj4) while reading; the named ones are converted later, like any file.
    const reproject = requested === undefined && prj?.id === 'projected' ? prjText : undefined;
    let geometries: unknown[];
    try {
      geometries = parseShp(part('shp')!, reproject);
    } catch (error) {
      throw unreadable(`${shp.name.split('/').pop()} is not a valid .shp (${String((error as Error).message).slice(0, 120)})`);
    }
    const dbf = part('dbf');
    let rows: (Record<string, unknown> | null)[] = [];
    if (dbf) {
      const cpg = part('cpg')?.toString('latin1').trim() || dbfEncoding(dbf);
      try {
        rows = parseDbf(dbf, Buffer.from(cpg)) as (Record<string, unknown> | null)[];
      } catch (error) {
        throw unreadable(`${shp.name.split('/').pop()?.replace(/\.shp$/i, '.dbf')} is not a valid .dbf (${String((error as Error).message).slice(0, 120)})`);
      }
    }
    for (const [i, geometry] of geometries.entries()) features.push({ geometry: geometry ?? null, properties: rows[i] ?? {} });
  }
  return { format: 'shapefile', features, declared };
}

/** The text encoding of a .dbf without a .cpg. */
function dbfEncoding(dbf: Buffer): string {
  // Language driver ids of Chinese (GBK) code pages: 0x4D (936, dBase), 0x7A (936, ArcGIS).
  const ldid = dbf[29];
  if (ldid === 0x4d || ldid === 0x7a) return 'gbk';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(dbf);
    return 'utf-8';
  } catch {
    return 'gbk';
  }
}
