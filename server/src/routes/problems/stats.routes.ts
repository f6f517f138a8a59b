import { Hono } from 'hono';
import { z } from 'zod';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { bboxParam } from '../../http/geo-params.ts';
import { problemFilterQuery, problemFiltersOf } from '../../http/problem-filter-params.ts';
import { validate } from '../../http/validate.ts';

/** The heat map's filters, plus where to look: a street, community or grid by its code, and/or a box. */
const statsQuery = {
  ...problemFilterQuery,
  territory: z.string().regex(/^[0-9]{6}([0-9]{3}){0,3}$/, 'must be a territory code').optional(),
  bbox: bboxParam.optional(),
};

/**
 * The supervisors' heat-map statistics (督查): counts and densities per grid
 * or community for the choropleth, hot-spot clusters and the trend of
 * reports and closures. Mounted under /api/problems before the problem
 * routes, so that `/hotspots` is not taken for a problem's id.
 */
export function problemStatsRoutes({ problemStats }: Services) {
  return new Hono<Env>()
    .get('/stats/grids', validate('query', z.object({ ...statsQuery, level: z.enum(['grid', 'community']).default('grid') })), async (c) => {
      const q = c.req.valid('query');
      return c.json(await problemStats.units(q.level, problemFiltersOf(q), q));
    })
    .get('/hotspots', validate('query', z.object({ ...statsQuery, limit: z.coerce.number().int().min(1).max(50).default(10) })), async (c) => {
      const q = c.req.valid('query');
      return c.json(await problemStats.hotspots(problemFiltersOf(q), q, q.limit));
    })
    .get('/trend', validate('query', z.object({ ...statsQuery, interval: z.enum(['day', 'week', 'month']).default('week') })), async (c) => {
      const q = c.req.valid('query');
      return c.json(await problemStats.trend(q.interval, problemFiltersOf(q), q));
    });
}
