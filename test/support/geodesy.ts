/**
 * Reference values computed without PostGIS, from the WGS84 ellipsoid's
 * closed-form formulas, so that coverage tests check PostGIS against
 * independent arithmetic rather than against itself.
 */
const A = 6378137;
const F = 1 / 298.257223563;
const B = A * (1 - F);
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Authalic integral: the area of a lon/lat rectangle on the ellipsoid (m²). */
export function rectArea(lon0: number, lat0: number, lon1: number, lat1: number): number {
  const q = (phi: number) => {
    const s = Math.sin(phi);
    return s / (1 - E2 * s * s) + (1 / (2 * E)) * Math.log((1 + E * s) / (1 - E * s));
  };
  return ((B * B * rad(lon1 - lon0)) / 2) * (q(rad(lat1)) - q(rad(lat0)));
}

/** Length of a parallel arc at latitude `lat` spanning `dLon` degrees (m). */
export function parallelLength(dLon: number, lat = 0): number {
  const phi = rad(lat);
  const n = A / Math.sqrt(1 - E2 * Math.sin(phi) ** 2);
  return n * Math.cos(phi) * rad(dLon);
}

/** Length of a meridian arc between two latitudes near `lat` (m), by the meridional radius of curvature. */
export function meridianLength(lat0: number, lat1: number): number {
  const steps = 64;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const phi = rad(lat0 + ((i + 0.5) * (lat1 - lat0)) / steps);
    sum += (A * (1 - E2)) / (1 - E2 * Math.sin(phi) ** 2) ** 1.5;
  }
  return (sum / steps) * rad(lat1 - lat0);
}

/** WKT of an axis-aligned lon/lat rectangle. */
export const rect = (x0: number, y0: number, x1: number, y1: number) =>
  `POLYGON((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0}))`;

/**
 * Distance (m) from a lon/lat point to the nearest segment of a (multi)line,
 * in a local plane around the point (metres per degree from the ellipsoid at
 * its latitude): exact to well under a metre over the few hundred metres
 * that matter here.
 */
export function distanceToLinesM(point: readonly [number, number], lines: readonly (readonly (readonly [number, number])[])[]): number {
  const [lon0, lat0] = point;
  const kx = parallelLength(1, lat0);
  const ky = meridianLength(lat0 - 0.5, lat0 + 0.5);
  let best = Number.POSITIVE_INFINITY;
  for (const line of lines) {
    for (let i = 1; i < line.length; i++) {
      const [ax, ay] = [(line[i - 1]![0] - lon0) * kx, (line[i - 1]![1] - lat0) * ky];
      const [bx, by] = [(line[i]![0] - lon0) * kx, (line[i]![1] - lat0) * ky];
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
      best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
    }
  }
  return best;
}
