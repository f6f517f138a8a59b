/**
 * Snapping to what is already on the map: the vertices and edges of the
 * neighbouring zones, grid edges and road lines. Distances are measured in
 * screen pixels (what "near" means to the person drawing); the snapped point
 * is computed in longitude/latitude on the segment itself, so that it lies on
 * the neighbour's edge as PostGIS sees it (planar EPSG:4326), not merely close
 * to it on the screen.
 */
import type { Geometry, Position } from 'geojson';

export type LonLat = [lon: number, lat: number];
export interface Pixel {
  x: number;
  y: number;
}
export type Project = (lon: number, lat: number) => Pixel;

/** Where a pointer snapped to, and to what. */
export interface Snapped {
  coordinate: LonLat;
  kind: 'vertex' | 'edge';
  /** Distance from the pointer in pixels. */
  distance: number;
}

/** The lines (rings, line strings) of a geometry as lists of positions. */
export function linesOf(geometry: Geometry | null | undefined): Position[][] {
  if (!geometry) return [];
  switch (geometry.type) {
    case 'LineString': return [geometry.coordinates];
    case 'MultiLineString': case 'Polygon': return geometry.coordinates;
    case 'MultiPolygon': return geometry.coordinates.flat();
    case 'GeometryCollection': return geometry.geometries.flatMap(linesOf);
    default: return [];
  }
}

/**
 * Segments and vertices of many lines, flat in typed arrays with a bounding
 * box per segment: a lookup scans them once, skipping the ones whose box is
 * not near the pointer, and projects only the few that are.
 */
export class SnapIndex {
  /** [ax, ay, bx, by] per segment. */
  readonly #segments: Float64Array;
  readonly #count: number;

  constructor(lines: readonly Position[][]) {
    let count = 0;
    for (const line of lines) count += Math.max(0, line.length - 1);
    this.#segments = new Float64Array(count * 4);
    let i = 0;
    for (const line of lines) {
      for (let k = 1; k < line.length; k++) {
        const a = line[k - 1]!;
        const b = line[k]!;
        if (a[0] === b[0] && a[1] === b[1]) continue;
        this.#segments.set([a[0]!, a[1]!, b[0]!, b[1]!], i * 4);
        i++;
      }
    }
    this.#count = i;
  }

  get size(): number {
    return this.#count;
  }

  /**
   * The vertex within `tolerance` pixels of the pointer, or failing that the
   * nearest point on an edge within it. `box` is the pointer's surroundings in
   * degrees (half-width in longitude and latitude), used to skip far segments.
   */
  snap(pointer: LonLat, project: Project, tolerance: number, box: LonLat): Snapped | undefined {
    const [px, py] = pointer;
    const at = project(px, py);
    const [dx, dy] = box;
    let vertex: Snapped | undefined;
    let edge: Snapped | undefined;
    const s = this.#segments;
    for (let i = 0; i < this.#count; i++) {
      const ax = s[i * 4]!;
      const ay = s[i * 4 + 1]!;
      const bx = s[i * 4 + 2]!;
      const by = s[i * 4 + 3]!;
      if (Math.min(ax, bx) > px + dx || Math.max(ax, bx) < px - dx || Math.min(ay, by) > py + dy || Math.max(ay, by) < py - dy) continue;
      const a = project(ax, ay);
      const b = project(bx, by);
      for (const [p, lon, lat] of [[a, ax, ay], [b, bx, by]] as const) {
        const d = Math.hypot(p.x - at.x, p.y - at.y);
        if (d <= tolerance && (!vertex || d < vertex.distance)) vertex = { coordinate: [lon, lat], kind: 'vertex', distance: d };
      }
      if (vertex) continue; // a vertex in reach wins over any edge
      const t = nearestFraction(at, a, b);
      const q = { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) };
      const d = Math.hypot(q.x - at.x, q.y - at.y);
      if (d <= tolerance && (!edge || d < edge.distance)) {
        edge = { coordinate: [ax + t * (bx - ax), ay + t * (by - ay)], kind: 'edge', distance: d };
      }
    }
    return vertex ?? edge;
  }
}

/** Fraction along a→b (0..1) of the point nearest to p. */
export function nearestFraction(p: Pixel, a: Pixel, b: Pixel): number {
  const vx = b.x - a.x;
  const vy = b.y - a.y;
  const length2 = vx * vx + vy * vy;
  if (length2 === 0) return 0;
  const t = ((p.x - a.x) * vx + (p.y - a.y) * vy) / length2;
  return Math.max(0, Math.min(1, t));
}

/** Rounds a coordinate to `digits` decimals (what the drawing tool stores). */
export function roundCoordinate([lon, lat]: LonLat, digits: number): LonLat {
  const f = 10 ** digits;
  return [Math.round(lon * f) / f, Math.round(lat * f) / f];
}

/** The point of `points` nearest to the pointer within `tolerance` pixels (a section's end, say). */
export function snapToPoint(points: readonly LonLat[], pointer: LonLat, project: Project, tolerance: number, box: LonLat): Snapped | undefined {
  const [px, py] = pointer;
  const at = project(px, py);
  let best: Snapped | undefined;
  for (const [lon, lat] of points) {
    if (Math.abs(lon - px) > box[0] || Math.abs(lat - py) > box[1]) continue;
    const p = project(lon, lat);
    const d = Math.hypot(p.x - at.x, p.y - at.y);
    if (d <= tolerance && (!best || d < best.distance)) best = { coordinate: [lon, lat], kind: 'vertex', distance: d };
  }
  return best;
}
