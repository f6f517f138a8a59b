/** The heat-map view's calls: the categories, and the statistics beside the map (`/api/problems/stats/grids`, `/hotspots`, `/trend`). */
import { request } from '../../api/client.ts';
import type { Category } from './filters.ts';

export interface TerritoryRef {
  id: number;
  code: string;
  name: string;
}

export interface UnitRow extends TerritoryRef {
  parentName: string | null;
  count: number;
  areaKm2: number;
  densityPerKm2: number;
  /** The box around the unit, to fit the map to it. */
  bbox: [number, number, number, number];
}

export interface UnitStats {
  level: 'grid' | 'community';
  total: number;
  areaKm2: number;
  rows: UnitRow[];
}

export interface Hotspot {
  rank: number;
  count: number;
  centroid: [number, number];
  bbox: [number, number, number, number];
  cells: number;
  categories: { id: string; nameZh: string; nameEn: string; count: number }[];
  grid: TerritoryRef | null;
  community: TerritoryRef | null;
}

export interface TrendAnswer {
  interval: 'day' | 'week' | 'month';
  from: string;
  to: string;
  totals: { reported: number; closed: number };
  buckets: { start: string; reported: number; closed: number }[];
}

const withQuery = (path: string, params: URLSearchParams) => (params.toString() ? `${path}?${params}` : path);

export const heatmapApi = {
  categories: (signal: AbortSignal) => request<{ categories: Category[] }>('/api/categories', { signal }),
  units: (level: 'grid' | 'community', filters: URLSearchParams, signal: AbortSignal) => {
    const params = new URLSearchParams(filters);
    params.set('level', level);
    return request<UnitStats>(withQuery('/api/problems/stats/grids', params), { signal });
  },
  hotspots: (filters: URLSearchParams, limit: number, signal: AbortSignal) => {
    const params = new URLSearchParams(filters);
    params.set('limit', String(limit));
    return request<{ hotspots: Hotspot[]; cellM: number }>(withQuery('/api/problems/hotspots', params), { signal });
  },
  trend: (interval: 'day' | 'week' | 'month', filters: URLSearchParams, signal: AbortSignal) => {
    const params = new URLSearchParams(filters);
    params.set('interval', interval);
    return request<TrendAnswer>(withQuery('/api/problems/trend', params), { signal });
  },
};
