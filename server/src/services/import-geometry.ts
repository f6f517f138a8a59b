import gcoord from 'gcoord';
import type { Geometry, LineString, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson';
import { type Bounds, isWithin } from '../http/geo-bounds.ts';
import type { CrsId } from './import-read.ts';

/** What a layer takes: zones are polygons, road sections lines. */
export type ShapeKind = 'polygon' | 'line';
export type ImportGeometry = Polygon | MultiPolygon | LineString | MultiLineString;

export interface ShapeProblem {
  code: 'empty_geometry' | 'wrong_geometry_type' | 'invalid_geometry' | 'too_complex' | 'coordinates_out_of_range' | 'geometry_out_of_bounds';
  message: string;
}

export type ShapeCheck = { ok: true; geometry: ImportGeometry; ringsClosed: number } | { ok: false; problem: ShapeProblem };

const fail = (code: ShapeProblem['code'], message: string): ShapeCheck => ({ ok: false, problem: { code, message } });

/** Members of a GeometryCollection (a KML MultiGeometry) joined into one multi-geometry when they are all of one kind. */
function flatten(geometry: { type: string; geometries?: unknown }): { type: string; coordinates: unknown } | null {
  if (!Array.isArray(geometry.geometries)) return null;
  const members = geometry.geometries as { type?: unknown; coordinates?: unknown }[];
  if (members.length > 0 && members.every((m) => m?.type === 'Polygon' || m?.type === 'MultiPolygon')) {
    return { type: 'MultiPolygon', coordinates: members.flatMap((m) => (m.type === 'Polygon' ? [m.coordinates] : (m.coordinates as unknown[]))) };
  }
  if (members.length > 0 && members.every((m) => m?.type === 'LineString' || m?.type === 'MultiLineString')) {
    return { type: 'MultiLineString', coordinates: members.flatMap((m) => (m.type === 'LineString' ? [m.coordinates] : (m.coordinates as unknown[]))) };
  }
  return null;
}

const article = (type: string) => (/^[AEIOU]/.test(type) ? 'an' : 'a');

/**
 * The shape of one imported geometry, before any database sees it: the
 * type the layer takes, positions of finite numbers (2D), rings closed and
 * long enough, lines of two positions or more, at most `maxVertices`.
 * Self-intersections are left to PostGIS to repair and report.
 */
export function checkShape(input: unknown, kind: ShapeKind, maxVertices: number): ShapeCheck {
  if (input === null || input === undefined || typeof input !== 'object') return fail('empty_geometry', 'The feature has no geometry.');
  let geometry = input as { type: string; coordinates?: unknown; geometries?: unknown };
  if (geometry.type === 'GeometryCollection') {
    const flat = flatten(geometry);
    if (!flat) return fail('wrong_geometry_type', `A mixed or empty geometry collection where ${kind === 'polygon' ? 'polygons' : 'lines'} are expected.`);
    geometry = flat;
  }
  const wanted = kind === 'polygon' ? ['Polygon', 'MultiPolygon'] : ['LineString', 'MultiLineString'];
  if (!wanted.includes(geometry.type)) {
    return fail('wrong_geometry_type', `${article(String(geometry.type))} ${String(geometry.type).slice(0, 40)} where ${kind === 'polygon' ? 'a polygon' : 'a line'} is expected.`);
  }
  let vertices = 0;
  let ringsClosed = 0;
  const position = (p: unknown): Position | null => {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return null;
    return [p[0], p[1]];
  };
  const path = (value: unknown, minimum: number, closed: boolean): Position[] | ShapeProblem => {
    if (!Array.isArray(value)) return { code: 'invalid_geometry', message: 'The coordinates are not nested as the type requires.' };
    vertices += value.length;
    if (vertices > maxVertices) return { code: 'too_complex', message: `More than ${maxVertices.toLocaleString('en')} vertices; simplify the shape.` };
    const out: Position[] = [];
    for (const p of value) {
      const pos = position(p);
      if (!pos) return { code: 'invalid_geometry', message: 'A position is not a pair of finite numbers.' };
      out.push(pos);
    }
    if (closed && out.length > 0) {
      const first = out[0]!;
      const last = out[out.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) {
        out.push([first[0]!, first[1]!]);
        ringsClosed++;
      }
    }
    if (out.length < minimum) {
      return { code: 'invalid_geometry', message: closed ? `A ring has ${out.length} positions; it needs at least 4.` : `A line has ${out.length} position(s); it needs at least 2.` };
    }
    return out;
  };
  const list = <T>(value: unknown, each: (v: unknown) => T | ShapeProblem): T[] | ShapeProblem => {
    if (!Array.isArray(value)) return { code: 'invalid_geometry', message: 'The coordinates are not nested as the type requires.' };
    if (value.length === 0) return { code: 'empty_geometry', message: 'The geometry has no coordinates.' };
    const out: T[] = [];
    for (const v of value) {
      const r = each(v);
      if (isProblem(r)) return r;
      out.push(r);
    }
    return out;
  };
  const ring = (v: unknown) => path(v, 4, true);
  const polygon = (v: unknown) => list(v, ring);
  const line = (v: unknown) => path(v, 2, false);
  let coordinates: unknown;
  switch (geometry.type) {
    case 'Polygon': coordinates = polygon(geometry.coordinates); break;
    case 'MultiPolygon': coordinates = list(geometry.coordinates, polygon); break;
    case 'LineString': coordinates = Array.isArray(geometry.coordinates) && geometry.coordinates.length === 0 ? { code: 'empty_geometry', message: 'The line has no coordinates.' } : line(geometry.coordinates); break;
    default: coordinates = list(geometry.coordinates, line);
  }
  if (isProblem(coordinates)) return { ok: false, problem: coordinates };
  return { ok: true, geometry: { type: geometry.type, coordinates } as ImportGeometry, ringsClosed };
}

function isProblem(value: unknown): value is ShapeProblem {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'code' in value;
}

/** Converts a checked geometry to WGS84 (in place; it is ours). */
export function toWgs84(geometry: ImportGeometry, crs: CrsId): ImportGeometry {
  if (crs === 'gcj02') return gcoord.transform(geometry as never, gcoord.GCJ02, gcoord.WGS84) as unknown as ImportGeometry;
  if (crs === 'epsg3857') return gcoord.transform(geometry as never, gcoord.WebMercator, gcoord.WGS84) as unknown as ImportGeometry;
  return geometry;
}

/** Every position of a geometry. */
function* positions(geometry: Geometry): Generator<Position> {
  const walk = function* (value: unknown): Generator<Position> {
    if (Array.isArray(value) && typeof value[0] === 'number') yield value as Position;
    else if (Array.isArray(value)) for (const v of value) yield* walk(v);
  };
  if (geometry.type !== 'GeometryCollection') yield* walk(geometry.coordinates);
}

/**
 * Longitude and latitude in range, no edge across half the globe (ambiguous
 * on the sphere), and every position within `bounds` (the territory's
 * neighbourhood: a file in the wrong coordinate system lands far away).
 */
export function rangeProblem(geometry: ImportGeometry, bounds: Bounds): ShapeProblem | null {
  const paths: Position[][] =
    geometry.type === 'Polygon' ? geometry.coordinates
    : geometry.type === 'MultiPolygon' ? geometry.coordinates.flat()
    : geometry.type === 'LineString' ? [geometry.coordinates]
    : geometry.coordinates;
  for (const p of paths) {
    let previous: number | undefined;
    for (const [lon, lat] of p as [number, number][]) {
      if (!Number.isFinite(lon) || !Number.isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
        return { code: 'coordinates_out_of_range', message: 'A position is outside [-180, -90, 180, 90] after conversion to WGS84: the coordinate system may be wrong.' };
      }
      if (previous !== undefined && Math.abs(lon - previous) >= 180) return { code: 'coordinates_out_of_range', message: 'An edge spans 180° of longitude or more.' };
      previous = lon;
    }
  }
  for (const p of paths) {
    if (p.some(([lon, lat]) => !isWithin(lon!, lat!, bounds))) {
      return { code: 'geometry_out_of_bounds', message: `A position lies outside the area this system serves (${bounds.join(', ')}): the coordinate system may be wrong.` };
    }
  }
  return null;
}

/** Whether coordinates are plainly not degrees (metres of a projection): some |x| > 180 or |y| > 90. */
export function looksProjected(geometries: unknown[]): boolean {
  for (const g of geometries) {
    if (!g || typeof g !== 'object' || !('type' in g)) continue;
    const geometry = g as Geometry;
    const parts = geometry.type === 'GeometryCollection' ? geometry.geometries : [geometry];
    for (const part of parts) {
      for (const [x, y] of positions(part)) {
        if (typeof x === 'number' && typeof y === 'number' && (Math.abs(x) > 180 || Math.abs(y) > 90)) return true;
      }
    }
  }
  return false;
}
