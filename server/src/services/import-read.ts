import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { parseDbf, parseShp } from 'shpjs';
import { AppError, badRequest } from '../http/errors.ts';
import { checkJsonText, checkXmlText, MAX_NESTING, type TextLimits } from '../http/nesting.ts';
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

/**
 * Most positions (vertices) one file may hold in all. A district's zones of
 * one duty are a few hundred polygons of tens of vertices; the whole import
 * (reading, repair in PostGIS, the preview) takes some 800 bytes per
 * position, so this keeps one import within about 200 MB (measured).
 */
export const MAX_IMPORT_POSITIONS = 150_000;
/** KML: each element costs about 900 bytes as a DOM node; 5,000 placemarks of some 25 elements fit. */
const XML_LIMITS: TextLimits = { maxDepth: MAX_NESTING, maxNodes: 150_000 };

const unreadable = (reason: string) => badRequest('unreadable_file', `The file cannot be read: ${reason}.`);

export function tooManyFeatures(max: number, count?: number): AppError {
  const holds = count === undefined ? `more than ${max.toLocaleString('en')}` : count.toLocaleString('en');
  return new AppError(413, 'too_many_features', `The file holds ${holds} features; at most ${max.toLocaleString('en')} are imported at once. Split it.`, { limit: max });
}

function tooManyPositions(): AppError {
  return new AppError(413, 'too_many_positions', `The file holds more than ${MAX_IMPORT_POSITIONS.toLocaleString('en')} vertices in all; split it or simplify it.`, { limit: MAX_IMPORT_POSITIONS });
}

/**
 * Reads an uploaded file into features, by the kind its bytes show.
 * `requested`: the coordinate system the planner chose; a shapefile's .prj
 * is then not applied (a GCJ-02 file often carries a WGS84 .prj).
 * Text is judged for nesting and size before it is parsed, and features
 * are counted while reading: past `maxFeatures` the read stops (413).
 */
export function readFile(bytes: Uint8Array, kind: FileKind, requested: CrsId | undefined, maxFeatures: number): ReadResult {
  // a shapefile's positions are counted from its records before they are built
  if (kind === 'zip') return readShapefileZip(bytes, requested, maxFeatures);
  const text = decodeText(bytes);
  const file = kind === 'xml' ? readKml(text, maxFeatures) : readGeoJson(text, maxFeatures);
  if (countPositions(file.features) > MAX_IMPORT_POSITIONS) throw tooManyPositions();
  return file;
}

/** The positions of all features' geometries (arrays that start with a number), walked without recursion. */
export function countPositions(features: RawFeature[]): number {
  let count = 0;
  const stack: unknown[] = features.map((f) => f.geometry);
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      if (typeof value[0] === 'number') count++;
      else for (const item of value) stack.push(item);
    } else if (isObject(value)) {
      if (Array.isArray(value.coordinates)) stack.push(value.coordinates);
      if (Array.isArray(value.geometries)) for (const g of value.geometries) stack.push(g);
    }
  }
  return count;
}

function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw unreadable('it is not UTF-8 text');
  }
}

function readGeoJson(text: string, maxFeatures: number): ReadResult {
  // an array per position, and a handful of objects and arrays per feature around them
  checkJsonText(text, { maxDepth: MAX_NESTING, maxNodes: MAX_IMPORT_POSITIONS + 20 * maxFeatures });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw unreadable(`it is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
  const features = geoJsonFeatures(value, maxFeatures);
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

function geoJsonFeatures(value: unknown, maxFeatures: number): RawFeature[] | null {
  // DataV and some exporters write a bare array of Features.
  const list = Array.isArray(value) ? value : isObject(value) && value.type === 'FeatureCollection' ? value.features : undefined;
  if (list !== undefined) {
    if (!Array.isArray(list)) return null;
    if (list.length > maxFeatures) throw tooManyFeatures(maxFeatures, list.length);
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

function readKml(text: string, maxFeatures: number): ReadResult {
  checkXmlText(text, XML_LIMITS);
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
  if (collection.features.length > maxFeatures) throw tooManyFeatures(maxFeatures, collection.features.length);
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
function readShapefileZip(bytes: Uint8Array, requested: CrsId | undefined, maxFeatures: number): ReadResult {
  const entries = zipEntries(bytes).filter((e) => !e.name.includes('__MACOSX/') && !/(^|\/)\._/.test(e.name));
  const byName = new Map(entries.map((e) => [e.name.toLowerCase(), e]));
  const shps = entries.filter((e) => e.name.toLowerCase().endsWith('.shp'));
  if (shps.length === 0) throw unreadable('the zip holds no .shp file (a shapefile needs its .shp, .dbf and .prj)');
  const features: RawFeature[] = [];
  let declared: DeclaredCrs | null = null;
  let positions = 0;
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
    const shpBytes = part('shp')!;
    // counted from the record headers before shpjs builds a single geometry
    const counted = shpRecords(shpBytes);
    if (features.length + counted.records > maxFeatures) throw tooManyFeatures(maxFeatures);
    positions += counted.positions;
    if (positions > MAX_IMPORT_POSITIONS) throw tooManyPositions();
    let geometries: unknown[];
    try {
      geometries = parseShp(shpBytes, reproject);
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

/**
 * How many records a .shp holds and how many positions they declare, read
 * from the record headers the way shpjs walks them (a record whose length
 * runs past the end stops the walk), without building anything.
 */
export function shpRecords(shp: Uint8Array): { records: number; positions: number } {
  if (shp.byteLength < 100) return { records: 0, positions: 0 };
  const view = new DataView(shp.buffer, shp.byteOffset, shp.byteLength);
  // shpjs reads every record as the header's shape type: Point (1, 11, 21), PolyLine (3, …), Polygon (5, …), MultiPoint (8, …)
  const type = view.getInt32(32, true) % 10;
  // where a record's content declares its number of points
  const countAt = type === 8 ? 36 : type === 3 || type === 5 ? 40 : -1;
  let records = 0;
  let positions = 0;
  let offset = 100;
  while (offset + 8 <= shp.byteLength) {
    // big-endian length in 16-bit words, as the format has it
    const length = view.getInt32(offset + 4) * 2;
    if (length < 0 || offset + 8 + length > shp.byteLength) break;
    records++;
    // a record of shape type 0 (null) has no points
    if (length >= 4 && view.getInt32(offset + 8, true) !== 0) {
      const declared = type === 1 ? 1 : countAt >= 0 && length >= countAt + 4 ? view.getInt32(offset + 8 + countAt, true) : 0;
      // a count larger than the record's bytes cannot be read: at most one position per 16 bytes
      positions += Math.max(0, Math.min(declared, Math.floor(length / 16)));
    }
    offset += 8 + length;
  }
  return { records, positions };
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
