import { z } from 'zod';
import { AppError } from './errors.ts';
import { type Bounds, isWithin, outOfBounds } from './geo-bounds.ts';

/**
 * Most vertices of a zone or road section someone saves: a street's boundary
 * has a few hundred; more than this is a tracing artefact that would slow
 * every overlay the zone takes part in, so it is refused, not stored.
 */
export const MAX_EDIT_VERTICES = 20_000;
/**
 * Most vertices of an area someone reads with (a drawn coverage area; a
 * territory is named by its id, not sent). A drawn area has tens of
 * vertices, a pasted boundary a few thousand. The work of an analysis grows
 * with the vertices times the zones it meets, and on the embedded engine
 * everyone waits behind it: a 20,000-vertex area over a few square km took
 * 6-10 s of the single connection, a 100,000-vertex one longer.
 */
export const MAX_VERTICES = 5_000;

export type Position = [number, number];
export type PolygonGeometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

const position = z.array(z.number()).min(2).max(3);
const polygonShape = z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position)) });
const multiPolygonShape = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(position))) });
const geometryShape = z.discriminatedUnion('type', [polygonShape, multiPolygonShape]);
const featureShape = z.object({ type: z.literal('Feature'), geometry: geometryShape });
const lineShape = z.object({ type: z.literal('LineString'), coordinates: z.array(position) });

/** Numbers in nested arrays, counted without building anything: a cheap look at a body before the schema walks it. */
function countPositions(value: unknown, budget: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= budget) {
    const v = stack.pop();
    if (!Array.isArray(v)) continue;
    if (typeof v[0] === 'number') count++;
    else for (const item of v) stack.push(item);
  }
  return count;
}

/**
 * Refuses a geometry of more vertices than any route takes before the schema
 * validates it position by position: that walk cost a quarter of a second of
 * the one event loop for 100,000 vertices, refused or not.
 */
const guardVertices = (value: unknown) => {
  const coordinates = (value as { coordinates?: unknown; geometry?: { coordinates?: unknown } } | null)?.geometry?.coordinates ?? (value as { coordinates?: unknown } | null)?.coordinates;
  if (countPositions(coordinates, MAX_EDIT_VERTICES) > MAX_EDIT_VERTICES) {
    throw unprocessable('geometry_too_complex', `More than ${MAX_EDIT_VERTICES} vertices; simplify the shape.`);
  }
  return value;
};

/** GeoJSON shape only: a LineString or a Feature holding one (a cut line, a road section). */
export const lineInput = z.preprocess(guardVertices, z.union([lineShape, z.object({ type: z.literal('Feature'), geometry: lineShape })]));
export type LineGeometry = { type: 'LineString'; coordinates: Position[] };

/** GeoJSON shape only: a Polygon, a MultiPolygon, or a Feature holding one. */
export const polygonInput = z.preprocess(guardVertices, z.union([geometryShape, featureShape]));

export const unprocessable = (code: string, message: string, details?: unknown) => new AppError(422, code, message, details);

/**
 * Geometric sanity beyond the shape: coordinates in range, rings closed and
 * long enough, a bounded number of vertices, every position within `bounds`
 * (the territory's neighbourhood, geo-bounds.ts). Self-intersections are left
 * to PostGIS to repair (and report).
 */
export function checkPolygonInput(input: z.infer<typeof polygonInput>, bounds: Bounds, maxVertices = MAX_VERTICES): PolygonGeometry {
  const geometry = (input.type === 'Feature' ? input.geometry : input) as PolygonGeometry;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  if (polygons.length === 0 || polygons.some((p) => p.length === 0)) {
    throw unprocessable('empty_geometry', 'The polygon has no rings.');
  }
  let vertices = 0;
  let outside = false;
  for (const [pi, polygon] of polygons.entries()) {
    for (const [ri, ring] of polygon.entries()) {
      const where = `polygon ${pi + 1}, ring ${ri + 1}`;
      if (ring.length < 4) throw unprocessable('invalid_geometry', `${where} has ${ring.length} positions; a ring needs at least 4.`);
      vertices += ring.length;
      if (vertices > maxVertices) throw unprocessable('geometry_too_complex', `More than ${maxVertices} vertices; simplify the shape.`);
      let previous: number | undefined;
      for (const [lon, lat] of ring as [number, number][]) {
        if (!Number.isFinite(lon) || !Number.isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
          throw unprocessable('coordinates_out_of_range', `${where} has a position outside [-180, -90, 180, 90].`);
        }
        // An edge spanning half the globe is ambiguous on the sphere (PostGIS refuses it with an
        // internal error); no responsibility area has one.
        if (previous !== undefined && Math.abs(lon - previous) >= 180) {
          throw unprocessable('edge_too_long', `${where} has an edge spanning 180° of longitude or more.`);
        }
        previous = lon;
        outside ||= !isWithin(lon, lat, bounds);
      }
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) {
        throw unprocessable('invalid_geometry', `${where} is not closed: its first and last positions differ.`);
      }
    }
  }
  if (outside) throw outOfBounds('The polygon', bounds);
  return geometry;
}

/** A line's sanity, as for polygons: at least two positions, in range, within `bounds`, bounded, no antimeridian-wide edges. */
export function checkLineInput(input: z.infer<typeof lineInput>, bounds: Bounds, maxVertices = MAX_EDIT_VERTICES): LineGeometry {
  const line = (input.type === 'Feature' ? input.geometry : input) as LineGeometry;
  if (line.coordinates.length < 2) throw unprocessable('invalid_geometry', `The line has ${line.coordinates.length} positions; it needs at least 2.`);
  if (line.coordinates.length > maxVertices) throw unprocessable('geometry_too_complex', `More than ${maxVertices} vertices; simplify the line.`);
  let previous: number | undefined;
  for (const [lon, lat] of line.coordinates as [number, number][]) {
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      throw unprocessable('coordinates_out_of_range', 'The line has a position outside [-180, -90, 180, 90].');
    }
    if (previous !== undefined && Math.abs(lon - previous) >= 180) throw unprocessable('edge_too_long', 'The line has an edge spanning 180° of longitude or more.');
    previous = lon;
  }
  if (line.coordinates.some(([lon, lat]) => !isWithin(lon!, lat!, bounds))) throw outOfBounds('The line', bounds);
  return { type: 'LineString', coordinates: line.coordinates.map(([lon, lat]) => [lon, lat] as Position) };
}
