/**
 * Between the road-section geometries of the API (MultiLineString, as PostGIS
 * stores them) and the drawing tool, which holds one LineString per feature.
 */
import type { Geometry, LineString, Position } from 'geojson';

/** The lines of a geometry, one LineString each; other geometries have none. */
export function linesOfSection(geometry: Geometry | null | undefined): LineString[] {
  if (!geometry) return [];
  if (geometry.type === 'LineString') return [geometry];
  if (geometry.type === 'MultiLineString') return geometry.coordinates.map((coordinates) => ({ type: 'LineString', coordinates }));
  if (geometry.type === 'GeometryCollection') return geometry.geometries.flatMap(linesOfSection);
  return [];
}

/** A line that goes somewhere: at least two distinct positions. */
export function isUsableLine(line: LineString | undefined): boolean {
  if (!line || line.coordinates.length < 2) return false;
  const first = line.coordinates[0]!;
  return line.coordinates.some((p) => p[0] !== first[0] || p[1] !== first[1]);
}

/** The one line a section is drawn as; null when nothing usable is drawn or there is more than one line. */
export function lineOf(lines: readonly LineString[]): LineString | null {
  const usable = lines.filter(isUsableLine);
  return usable.length === 1 ? { type: 'LineString', coordinates: usable[0]!.coordinates } : null;
}

/** Same positions in the same order. */
export function sameLine(a: LineString | null, b: LineString | null): boolean {
  return JSON.stringify(a?.coordinates ?? null) === JSON.stringify(b?.coordinates ?? null);
}

/** The two ends of every line (where another section may join on). */
export function endsOf(lines: readonly Position[][]): [lon: number, lat: number][] {
  const ends: [number, number][] = [];
  for (const line of lines) {
    const first = line[0];
    const last = line[line.length - 1];
    if (first) ends.push([first[0]!, first[1]!]);
    if (last && line.length > 1) ends.push([last[0]!, last[1]!]);
  }
  return ends;
}
