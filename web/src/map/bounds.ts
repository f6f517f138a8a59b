import type { Geometry, Position } from 'geojson';

export type Bounds = [minLon: number, minLat: number, maxLon: number, maxLat: number];

/** 象山区 in WGS84, roughly: where the map opens before the district's own outline has loaded. */
export const XIANGSHAN_BOUNDS: Bounds = [110.223, 25.131, 110.324, 25.278];

/** Bounding box of some geometries, or null when they hold no coordinates. */
export function boundsOf(geometries: Iterable<Geometry | null>): Bounds | null {
  const box: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (position: Position) => {
    const [lon, lat] = position as [number, number];
    if (lon < box[0]) box[0] = lon;
    if (lat < box[1]) box[1] = lat;
    if (lon > box[2]) box[2] = lon;
    if (lat > box[3]) box[3] = lat;
  };
  const walk = (geometry: Geometry) => {
    switch (geometry.type) {
      case 'Point': visit(geometry.coordinates); break;
      case 'MultiPoint': case 'LineString': for (const p of geometry.coordinates) visit(p); break;
      case 'MultiLineString': case 'Polygon': for (const line of geometry.coordinates) for (const p of line) visit(p); break;
      case 'MultiPolygon':
        for (const polygon of geometry.coordinates) for (const ring of polygon) for (const p of ring) visit(p);
        break;
      case 'GeometryCollection': for (const part of geometry.geometries) walk(part); break;
    }
  };
  for (const geometry of geometries) if (geometry) walk(geometry);
  return Number.isFinite(box[0]) ? box : null;
}
