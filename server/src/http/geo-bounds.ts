import type { Context, MiddlewareHandler } from 'hono';
import type { Env } from './env.ts';
import { AppError } from './errors.ts';
import { type BBox, bboxParam } from './geo-params.ts';

/**
 * Where geometry may lie: the territory's neighbourhood. Every polygon, line,
 * box and point a request carries is checked against it before any query
 * sees it. Besides refusing nonsense (a zone drawn in the Atlantic), this is
 * what keeps PostGIS's geography type from meeting an edge between antipodal
 * points (a meridian from pole to pole, a box 180° wide), which it cannot
 * orient and answers with an internal error.
 */
export type Bounds = BBox;

/** How far beyond the territories' extent geometry may reach, in degrees (about 110 km north-south). */
export const BOUNDS_MARGIN_DEG = 1;
/**
 * Never closer to a pole than this: the poles are where every meridian meets,
 * so a box without them, narrower than 180° (guaranteed by the edge checks),
 * holds no antipodal pair.
 */
const POLAR_LIMIT = 85;
/** Before any territory exists (a fresh installation): mainland China and its seas, with the margin. */
export const FALLBACK_BOUNDS: Bounds = [72, 2, 137, 55];

/** The territories' extent with the margin, kept off the poles; the fallback when there is none. */
export function neighbourhood(extent: BBox | null, margin = BOUNDS_MARGIN_DEG): Bounds {
  if (!extent) return FALLBACK_BOUNDS;
  const [minLon, minLat, maxLon, maxLat] = extent;
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  return [
    round(Math.max(-180, minLon - margin)),
    round(Math.max(-POLAR_LIMIT, minLat - margin)),
    round(Math.min(180, maxLon + margin)),
    round(Math.min(POLAR_LIMIT, maxLat + margin)),
  ];
}

export const outOfBounds = (what: string, bounds: Bounds) =>
  new AppError(422, 'geometry_out_of_bounds', `${what} reaches outside the area this system serves (${bounds.join(', ')}: the territory and ${BOUNDS_MARGIN_DEG}° around it).`, { bounds });

export const isWithin = (lon: number, lat: number, [minLon, minLat, maxLon, maxLat]: Bounds) => lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat;

/** Throws 422 geometry_out_of_bounds when a position lies outside the bounds. */
export function checkPositionWithin(position: readonly [number, number] | readonly number[], bounds: Bounds, what = 'The position'): void {
  if (!isWithin(position[0]!, position[1]!, bounds)) throw outOfBounds(what, bounds);
}

/** Throws 422 geometry_out_of_bounds when a box is not wholly inside the bounds. */
export function checkBBoxWithin([minLon, minLat, maxLon, maxLat]: BBox, bounds: Bounds): void {
  if (!isWithin(minLon, minLat, bounds) || !isWithin(maxLon, maxLat, bounds)) throw outOfBounds('The bbox', bounds);
}

/** The bounds, read once a minute: territories change with a seed or an import, not per request. */
export function boundsCache(load: () => Promise<BBox | null>, ttlMs = 60_000): () => Promise<Bounds> {
  let cached: { bounds: Bounds; until: number } | undefined;
  let pending: Promise<Bounds> | undefined;
  return () => {
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.bounds);
    pending ??= load()
      .then((extent) => {
        const bounds = neighbourhood(extent);
        cached = { bounds, until: Date.now() + ttlMs };
        return bounds;
      })
      .finally(() => (pending = undefined));
    return pending;
  };
}

/**
 * Puts the bounds on the context (`await boundsOf(c)`, for the routes that
 * read a geometry from their body; looked up only when one does) and
 * refuses a `bbox` query parameter that leaves them, whichever route reads
 * it. A bbox the route's own validator would refuse is left to it.
 */
export function geoBounds(current: () => Promise<Bounds>): MiddlewareHandler<Env> {
  return async (c, next) => {
    c.set('bounds', current);
    const raw = c.req.query('bbox');
    if (raw !== undefined) {
      const parsed = bboxParam.safeParse(raw);
      if (parsed.success) checkBBoxWithin(parsed.data, await current());
    }
    await next();
  };
}

/** The bounds, for a route behind geoBounds(). */
export function boundsOf(c: Context<Env>): Promise<Bounds> {
  const current = c.get('bounds');
  if (!current) throw new Error('geoBounds() is not mounted in front of this route');
  return current();
}
