import type { Feature, Geometry, Position } from 'geojson';

/** WGS84 in the ESRI WKT every GIS reads from a .prj. */
export const WGS84_PRJ =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';

type ShapeType = 1 | 3 | 5 | 8; // point, polyline, polygon, multipoint
type Kind = 'points' | 'lines' | 'polygons';

const SHAPE_TYPES: Record<Kind, ShapeType> = { points: 1, lines: 3, polygons: 5 };

function kindOf(geometry: Geometry | null): Kind | null {
  switch (geometry?.type) {
    case 'Point':
    case 'MultiPoint':
      return 'points';
    case 'LineString':
    case 'MultiLineString':
      return 'lines';
    case 'Polygon':
    case 'MultiPolygon':
      return 'polygons';
    default:
      return null;
  }
}

/** Twice the signed area of a ring: positive counter-clockwise. */
function signedArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return sum;
}

/** Parts of a geometry as the shapefile wants them: outer rings clockwise, holes counter-clockwise. */
function partsOf(geometry: Geometry): Position[][] {
  switch (geometry.type) {
    case 'Point':
      return [[geometry.coordinates]];
    case 'MultiPoint':
      return [geometry.coordinates];
    case 'LineString':
      return [geometry.coordinates];
    case 'MultiLineString':
      return geometry.coordinates;
    case 'Polygon':
    case 'MultiPolygon': {
      const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
      return polygons.flatMap((rings) =>
        rings.map((ring, i) => {
          const clockwise = signedArea(ring) < 0;
          return (i === 0) === clockwise ? ring : [...ring].reverse();
        }),
      );
    }
    default:
      return [];
  }
}

interface Field {
  name: string;
  key: string;
  type: 'C' | 'N' | 'L';
  size: number;
  decimals: number;
}

const utf8 = new TextEncoder();

/** The value of a property as a .dbf cell's text. */
const asText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** UTF-8 bytes of a text cut to `size` bytes without splitting a character. */
function fitBytes(text: string, size: number): Uint8Array {
  const bytes = utf8.encode(text);
  if (bytes.byteLength <= size) return bytes;
  let end = size;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** dBase field names: 10 ASCII characters, unique whatever their case (person_phone → person_pho). */
function fieldNames(keys: string[]): string[] {
  const used = new Set<string>();
  return keys.map((key, i) => {
    let base = key.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 10);
    if (!/^[A-Za-z]/.test(base)) base = `F${i + 1}_${base}`.slice(0, 10);
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base.slice(0, 10 - String(n).length)}${n}`;
    used.add(name.toLowerCase());
    return name;
  });
}

const largest = (values: number[], floor: number) => values.reduce((a, b) => Math.max(a, b), floor);

function fieldsFor(rows: Record<string, unknown>[]): Field[] {
  const keys: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!keys.includes(key) && keys.length < 255) keys.push(key);
  const names = fieldNames(keys);
  return keys.map((key, i) => {
    const values = rows.map((r) => r[key]).filter((v) => v !== null && v !== undefined);
    if (values.length > 0 && values.every((v) => typeof v === 'boolean')) return { name: names[i]!, key, type: 'L', size: 1, decimals: 0 };
    if (values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      const decimals = Math.min(8, largest(values.map((v) => (String(v).split('.')[1] ?? '').length), 0));
      const size = largest(values.map((v) => (v as number).toFixed(decimals).length), 1);
      if (size <= 19) return { name: names[i]!, key, type: 'N', size, decimals };
    }
    const size = Math.min(254, largest(rows.map((r) => utf8.encode(asText(r[key])).byteLength), 1));
    return { name: names[i]!, key, type: 'C', size, decimals: 0 };
  });
}

/** A dBase III table of the properties; text in UTF-8 (announced by the .cpg). */
function writeDbf(rows: Record<string, unknown>[]): Uint8Array {
  const fields = fieldsFor(rows);
  const headerLength = 32 + fields.length * 32 + 1;
  const recordLength = 1 + fields.reduce((sum, f) => sum + f.size, 0);
  const out = new Uint8Array(headerLength + rows.length * recordLength + 1);
  const view = new DataView(out.buffer);
  const now = new Date();
  view.setUint8(0, 0x03);
  view.setUint8(1, now.getFullYear() - 1900);
  view.setUint8(2, now.getMonth() + 1);
  view.setUint8(3, now.getDate());
  view.setUint32(4, rows.length, true);
  view.setUint16(8, headerLength, true);
  view.setUint16(10, recordLength, true);
  fields.forEach((f, i) => {
    const at = 32 + i * 32;
    out.set(utf8.encode(f.name), at);
    out[at + 11] = f.type.charCodeAt(0);
    out[at + 16] = f.size;
    out[at + 17] = f.decimals;
  });
  out[headerLength - 1] = 0x0d;
  let at = headerLength;
  for (const row of rows) {
    out[at++] = 0x20; // not deleted
    for (const f of fields) {
      const cell = new Uint8Array(f.size).fill(0x20);
      const v = row[f.key];
      if (f.type === 'L') cell[0] = v === true ? 0x54 : v === false ? 0x46 : 0x3f;
      else if (f.type === 'N') {
        if (typeof v === 'number') {
          const text = utf8.encode(v.toFixed(f.decimals));
          cell.set(text, f.size - text.byteLength); // right-aligned
        }
      } else cell.set(fitBytes(asText(v), f.size), 0);
      out.set(cell, at);
      at += f.size;
    }
  }
  out[at] = 0x1a;
  return out;
}

/** [minX, minY, maxX, maxY] of positions (a loop: spreading 100,000 numbers into Math.min overflows the stack). */
function extent(points: Position[]): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points as [number, number][]) {
    if (x < box[0]) box[0] = x;
    if (y < box[1]) box[1] = y;
    if (x > box[2]) box[2] = x;
    if (y > box[3]) box[3] = y;
  }
  return box;
}

/** The .shp and .shx of geometries of one shape type. */
function writeShp(type: ShapeType, geometries: Geometry[]): { shp: Uint8Array; shx: Uint8Array } {
  const records = geometries.map((g) => {
    if (type === 1) {
      const [x, y] = (g as { coordinates: Position }).coordinates as [number, number];
      const b = new DataView(new ArrayBuffer(20));
      b.setInt32(0, 1, true);
      b.setFloat64(4, x, true);
      b.setFloat64(12, y, true);
      return { content: new Uint8Array(b.buffer), box: [x, y, x, y] as [number, number, number, number] };
    }
    const parts = partsOf(g);
    const points = parts.flat();
    const box = extent(points);
    const multipoint = type === 8;
    const size = 4 + 32 + 4 + (multipoint ? 0 : 4 + parts.length * 4) + points.length * 16;
    const b = new DataView(new ArrayBuffer(size));
    b.setInt32(0, type, true);
    for (const [i, v] of box.entries()) b.setFloat64(4 + i * 8, v, true);
    let at = 36;
    if (!multipoint) {
      b.setInt32(at, parts.length, true);
      at += 4;
    }
    b.setInt32(at, points.length, true);
    at += 4;
    if (!multipoint) {
      let start = 0;
      for (const part of parts) {
        b.setInt32(at, start, true);
        at += 4;
        start += part.length;
      }
    }
    for (const p of points) {
      b.setFloat64(at, p[0]!, true);
      b.setFloat64(at + 8, p[1]!, true);
      at += 16;
    }
    return { content: new Uint8Array(b.buffer), box };
  });
  const shpLength = 100 + records.reduce((sum, r) => sum + 8 + r.content.byteLength, 0);
  const shxLength = 100 + records.length * 8;
  const shp = new Uint8Array(shpLength);
  const shx = new Uint8Array(shxLength);
  const box = records.length ? extent(records.flatMap((r) => [[r.box[0], r.box[1]], [r.box[2], r.box[3]]])) : [0, 0, 0, 0];
  for (const [file, length] of [[shp, shpLength], [shx, shxLength]] as const) {
    const h = new DataView(file.buffer);
    h.setInt32(0, 9994); // big-endian file code
    h.setInt32(24, length / 2); // length in 16-bit words, big-endian
    h.setInt32(28, 1000, true);
    h.setInt32(32, type, true);
    for (const [i, v] of box.entries()) h.setFloat64(36 + i * 8, v, true);
  }
  const shpView = new DataView(shp.buffer);
  const shxView = new DataView(shx.buffer);
  let offset = 100;
  records.forEach((r, i) => {
    shpView.setInt32(offset, i + 1); // record number, big-endian
    shpView.setInt32(offset + 4, r.content.byteLength / 2);
    shp.set(r.content, offset + 8);
    shxView.setInt32(100 + i * 8, offset / 2);
    shxView.setInt32(104 + i * 8, r.content.byteLength / 2);
    offset += 8 + r.content.byteLength;
  });
  return { shp, shx };
}

/**
 * A layer as shapefiles: one set (.shp .shx .dbf .prj .cpg) per kind of
 * geometry the layer holds (a shapefile holds one), named `base` when there
 * is one kind, `base-polygons` etc. when several. Features without geometry
 * are left out.
 */
export function toShapefiles(base: string, features: Feature[]): { name: string; data: Uint8Array }[] {
  const groups = new Map<Kind, Feature[]>();
  for (const f of features) {
    const kind = kindOf(f.geometry);
    if (kind) groups.set(kind, [...(groups.get(kind) ?? []), f]);
  }
  if (groups.size === 0) groups.set('polygons', []);
  const files: { name: string; data: Uint8Array }[] = [];
  for (const [kind, list] of groups) {
    const name = groups.size === 1 ? base : `${base}-${kind}`;
    // points: Point → type 1; any MultiPoint makes the file a multipoint one
    const type: ShapeType = kind === 'points' && list.some((f) => f.geometry.type === 'MultiPoint') ? 8 : SHAPE_TYPES[kind];
    const geometries = list.map((f) => (type === 8 && f.geometry.type === 'Point' ? { type: 'MultiPoint', coordinates: [f.geometry.coordinates] } : f.geometry) as Geometry);
    const { shp, shx } = writeShp(type, geometries);
    files.push(
      { name: `${name}.shp`, data: shp },
      { name: `${name}.shx`, data: shx },
      { name: `${name}.dbf`, data: writeDbf(list.map((f) => f.properties ?? {})) },
      { name: `${name}.prj`, data: utf8.encode(WGS84_PRJ) },
      { name: `${name}.cpg`, data: utf8.encode('UTF-8') },
    );
  }
  return files;
}
