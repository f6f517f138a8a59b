/** The heat-map view's calls: the categories, and the statistics beside the map (`/api/problems/stats/grids`, `/hotspots`, `/trend`). */
import type { HotspotsAnswer, StatsLevel, TrendAnswer, TrendInterval, UnitStats } from '@civgrid/server/contracts/problem-stats';
import { request } from '../../api/client.ts';
import type { Category } from './filters.ts';

const withQuery = (path: string, params: URLSearchParams) => (params.toString() ? `${path}?${params}` : path);

export const heatmapApi = {
  categories: (signal: AbortSignal) => request<{ categories: Category[] }>('/api/categories', { signal }),
  units: (level: StatsLevel, filters: URLSearchParams, signal: AbortSignal) => {
    const params = new URLSearchParams(filters);
    params.set('level', level);
    return request<UnitStats>(withQuery('/api/problems/stats/grids', params), { signal });
  },
  hotspots: (filters: URLSearchParams, limit: number, signal: AbortSignal) => {
    const params = new URLSearchParams(filters);
    params.set('limit', String(limit));
    return request<HotspotsAnswer>(withQuery('/api/problems/hotspots', params), { signal });
  },
  trend: (interval: TrendInterval, filters: URLSearchParams, signal: AbortSignal) => {
    const params = new URLSearchParams(filters);
    params.set('interval', interval);
    return request<TrendAnswer>(withQuery('/api/problems/trend', params), { signal });
  },
};
