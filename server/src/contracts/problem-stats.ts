import { z } from 'zod';

/**
 * The heat map's statistics as the server answers them and the web app reads
 * them (as types): problems per grid or community (`GET
 * /api/problems/stats/grids`), hot spots (`/api/problems/hotspots`) and the
 * trend of reports and closures (`/api/problems/trend`), all for the same
 * filters as the heat-map tiles.
 */

export const STATS_LEVELS = ['grid', 'community'] as const;
export type StatsLevel = (typeof STATS_LEVELS)[number];
export const TREND_INTERVALS = ['day', 'week', 'month'] as const;
export type TrendInterval = (typeof TREND_INTERVALS)[number];

/** A box [minLon, minLat, maxLon, maxLat], to fit the map to. */
const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const territoryRef = z.object({ id: z.number().int(), code: z.string(), name: z.string() });
export type TerritoryRef = z.infer<typeof territoryRef>;

/** A grid's or a community's problems in the period. */
export const unitCount = territoryRef.extend({
  /** The street of a community, the community of a grid. */
  parentName: z.string().nullable(),
  count: z.number().int().nonnegative(),
  /** Geodesic area (on the WGS84 spheroid). */
  areaKm2: z.number(),
  densityPerKm2: z.number(),
  /** The box around the unit, to fit the map to it (a ranking's row, the unit with the most). */
  bbox: box,
});
export type UnitCount = z.infer<typeof unitCount>;

/** `GET /api/problems/stats/grids`: every unit of the level, with the sums over them. */
export const unitStats = z.object({
  level: z.enum(STATS_LEVELS),
  total: z.number().int().nonnegative(),
  areaKm2: z.number(),
  rows: z.array(unitCount),
});
export type UnitStats = z.infer<typeof unitStats>;

/** A cluster of problems denser than its surroundings. */
export const hotspot = z.object({
  count: z.number().int().positive(),
  /** The mean position of its problems. */
  centroid: z.tuple([z.number(), z.number()]),
  /** The box around its problems, to zoom to. */
  bbox: box,
  /** Aggregation cells (`cellM` square) it spans. */
  cells: z.number().int().positive(),
  /** Its three most frequent categories. */
  categories: z.array(z.object({ id: z.string(), nameZh: z.string(), nameEn: z.string(), count: z.number().int() })),
  /** The grid holding its centroid (or the nearest within about 300 m), and that grid's community. */
  grid: territoryRef.nullable(),
  community: territoryRef.nullable(),
});
export type Hotspot = z.infer<typeof hotspot>;

/** `GET /api/problems/hotspots`: the hot spots, most problems first, and the side of their cells in metres. */
export const hotspotsAnswer = z.object({
  hotspots: z.array(hotspot.extend({ rank: z.number().int().positive() })),
  cellM: z.number().positive(),
});
export type HotspotsAnswer = z.infer<typeof hotspotsAnswer>;
export type RankedHotspot = HotspotsAnswer['hotspots'][number];

export const trendBucket = z.object({
  /** First day of the bucket, China time. */
  start: z.string(),
  reported: z.number().int().nonnegative(),
  closed: z.number().int().nonnegative(),
});
export type TrendBucket = z.infer<typeof trendBucket>;

/** `GET /api/problems/trend`: reported and closed per bucket over the period, `from` and `to` as instants. */
export const trendAnswer = z.object({
  interval: z.enum(TREND_INTERVALS),
  from: z.string(),
  to: z.string(),
  totals: z.object({ reported: z.number().int().nonnegative(), closed: z.number().int().nonnegative() }),
  buckets: z.array(trendBucket),
});
export type TrendAnswer = z.infer<typeof trendAnswer>;
