/**
 * Between the zone geometries of the API (Polygon or MultiPolygon, as PostGIS
 * stores them) and the drawing tool, which holds one simple Polygon per feature.
 */
import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson';

export type Area = Polygon | MultiPolygon;

/** The drawing tool's precision: coordinates with more decimals are refused by it. */
export const COORDINATE_DIGITS = 9;

/** The parts of an area, one Polygon each; other geometries have none. */
export function partsOf(geometry: Geometry | null | undefined): Polygon[] {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.map((coordinates) => ({ type: 'Polygon', coordinates }));
  if (geometry.type === 'GeometryCollection') return geometry.geometries.flatMap(partsOf);
  return [];
}

/** Twice the signed area of a ring in coordinate units (shoelace). */
export function ringArea2(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 1; i < ring.length; i++) {
    const a = ring[i - 1]!;
    const b = ring[i]!;
    sum += a[0]! * b[1]! - b[0]! * a[1]!;
  }
  return sum;
}

/** A ring that encloses something: closed, at least three distinct positions, not flat. */
export function isUsableRing(ring: readonly Position[] | undefined): boolean {
  if (!ring || ring.length < 4) return false;
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) return false;
  const distinct = new Set(ring.map((p) => `${p[0]},${p[1]}`));
  return distinct.size >= 3 && Math.abs(ringArea2(ring)) > 1e-16;
}

/** The area the parts make together, to preview or save; null when nothing usable was drawn. */
export function areaOf(parts: readonly Polygon[]): Area | null {
  const usable = parts.filter((part) => isUsableRing(part.coordinates[0]));
  if (usable.length === 0) return null;
  if (usable.length === 1) return { type: 'Polygon', coordinates: usable[0]!.coordinates };
  return { type: 'MultiPolygon', coordinates: usable.map((part) => part.coordinates) };
}

/** Rounds every coordinate to `digits` decimals and drops repeated consecutive positions (the ring stays closed). */
export function rounded(part: Polygon, digits = COORDINATE_DIGITS): Polygon {
  const f = 10 ** digits;
  const round = (n: number) => Math.round(n * f) / f;
  return {
    type: 'Polygon',
    coordinates: part.coordinates.map((ring) => {
      const out: Position[] = [];
      for (const p of ring) {
        const q = [round(p[0]!), round(p[1]!)];
        const prev = out[out.length - 1];
        if (!prev || prev[0] !== q[0] || prev[1] !== q[1]) out.push(q);
      }
      return out;
    }),
  };
}

/** Same positions in the same order (a save that changes nothing of the shape). */
export function sameArea(a: Area | null, b: Area | null): boolean {
  return JSON.stringify(a && partsOf(a).map((p) => p.coordinates)) === JSON.stringify(b && partsOf(b).map((p) => p.coordinates));
}

/** Counts the vertices of an area (the server refuses more than 20,000). */
export function vertexCount(geometry: Area | null): number {
  return partsOf(geometry).reduce((n, part) => n + part.coordinates.reduce((m, ring) => m + ring.length, 0), 0);
}
