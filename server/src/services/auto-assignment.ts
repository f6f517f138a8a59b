import { balancedClusters, type Clustering, type XY } from './balanced-clusters.ts';

/**
 * A local plane around the points: metres east and north of their mean
 * position (an equirectangular approximation, fine within a district), in
 * which the clustering measures compactness.
 */
export function localPlane(points: readonly { lon: number; lat: number }[]): (p: { lon: number; lat: number }) => XY {
  const n = Math.max(1, points.length);
  const lon0 = points.reduce((s, p) => s + p.lon, 0) / n;
  const lat0 = points.reduce((s, p) => s + p.lat, 0) / n;
  const kx = 111_320 * Math.cos((lat0 * Math.PI) / 180);
  return (p) => ({ x: (p.lon - lon0) * kx, y: (p.lat - lat0) * 110_574 });
}

/**
 * The count-only compact grouping: k groups of ⌊n/k⌋ or ⌈n/k⌉ points,
 * compact on the map (balanced-clusters.ts), in the order the points are
 * given. The automatic assignment starts from it and then balances travel
 * (travel-balance.ts); tests and the bench use it as the baseline that
 * balancing is measured against.
 */
export function compactGroups(points: readonly { lon: number; lat: number }[], k: number): Clustering & { project: (p: { lon: number; lat: number }) => XY } {
  const project = localPlane(points);
  return { ...balancedClusters(points.map(project), k), project };
}
