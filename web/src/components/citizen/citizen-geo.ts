import type { Feature, Geometry, Position } from 'geojson';

/** [west, south, east, north] */
export type Box = [number, number, number, number];

/** Ray casting over one ring: whether the point is inside (a point on the edge may go either way). */
function inRing([x, y]: readonly [number, number], ring: readonly Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygon(point: readonly [number, number], rings: readonly Position[][]): boolean {
  const [outer, ...holes] = rings;
  return outer !== undefined && inRing(point, outer) && !holes.some((hole) => inRing(point, hole));
}

/** Whether [lon, lat] lies inside a Polygon or MultiPolygon (holes excluded); false for other geometries. */
export function pointInArea(point: readonly [number, number], geometry: Geometry): boolean {
  if (geometry.type === 'Polygon') return inPolygon(point, geometry.coordinates);
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.some((polygon) => inPolygon(point, polygon));
  return false;
}

/** The bounding box of the features' coordinates; null when there are none. */
export function boxOf(features: readonly Feature[]): Box | null {
  const box: Box = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      box[0] = Math.min(box[0], c[0]);
      box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]);
      box[3] = Math.max(box[3], c[1]);
      return;
    }
    for (const part of c) visit(part);
  };
  for (const f of features) if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
  return Number.isFinite(box[0]) ? box : null;
}

/**
 * The least zoom at which a tap may drop the pin: at 15 a screen pixel is
 * about 4 m at Guilin's latitude and a fingertip some 40 m, enough to tell
 * one side of a street from the other; at the district's zoom (about 11) a
 * fingertip covers 600 m. A tap below it zooms in on the tapped place instead.
 */
export const PIN_MIN_ZOOM = 15;

/** Where a tap too far out takes the map: three levels closer, not past the pin's zoom. */
export const zoomTowardsPin = (zoom: number): number => Math.min(PIN_MIN_ZOOM, Math.floor(zoom) + 3);
