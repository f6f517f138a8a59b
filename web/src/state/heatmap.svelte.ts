import { getContext, setContext } from 'svelte';
import type { Role } from '../api/types.ts';
import type { RankedHotspot as Hotspot, TrendAnswer, UnitStats } from '@civgrid/server/contracts/problem-stats';
import { heatmapApi } from '../components/heatmap/heatmap-api.ts';
import {
  type Category, type CategoryGroup, categoryGroups, type DatePreset, filterParams, type HeatFilters, periodOf, type StatusGroup, trendInterval,
} from '../components/heatmap/filters.ts';

export type Metric = 'count' | 'density';
export type ChoroplethLevel = 'grid' | 'community';

/** Who opens the heat-map view: the supervisors (督查) and admins, as the statistics' access rule says. */
export const mayViewHeatmap = (role: Role | undefined): boolean => role === 'supervisor' || role === 'admin';

/** Hot spots listed beside the map. */
const HOTSPOTS = 10;

/**
 * The supervisors' heat-map view (热力图): the filters that the problems
 * tiles and the statistics share, which layers show, and the statistics the
 * panel lists. The map reads `tileQuery` (a new one means new tile URLs, no
 * new style), the choropleth `units`, and `focus` for the hot spot to zoom to.
 */
export class HeatmapView {
  /** `free`: whether nothing else takes the right side (another panel covers this one, which stays as it was underneath). */
  constructor(private readonly free: () => boolean = () => true) {}

  open = $state(false);

  /** Open and not covered by another panel: the panel shows and the map draws the heat map. */
  get shown(): boolean {
    return this.open && this.free();
  }

  categories = $state.raw<string[]>([]);
  status = $state<StatusGroup>('all');
  preset = $state<DatePreset>('year');
  from = $state('');
  to = $state('');

  showHeat = $state(true);
  showChoropleth = $state(true);
  metric = $state<Metric>('count');
  level = $state<ChoroplethLevel>('grid');

  catalogue = $state.raw<Category[]>([]);
  units = $state.raw<UnitStats | null>(null);
  /** The communities' counts for the ranking (社区排名), whatever level the choropleth shows. */
  communities = $state.raw<UnitStats | null>(null);
  hotspots = $state.raw<Hotspot[]>([]);
  /** The side of the square cells the hot spots are made of, m. */
  hotspotCellM = $state(0);
  trend = $state.raw<TrendAnswer | null>(null);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  /** The hot spot to zoom to (set by a click in the list or on its marker). */
  focus = $state.raw<Hotspot | null>(null);
  /** A unit to fit the map to (a ranking's row, the unit with the most); a new object for every click. */
  place = $state.raw<{ id: number; bbox: [number, number, number, number] } | null>(null);

  /** Fit the map to a grid or community. */
  show(unit: { id: number; bbox: [number, number, number, number] }): void {
    this.place = { id: unit.id, bbox: unit.bbox };
  }

  get groups(): CategoryGroup[] {
    return categoryGroups(this.catalogue);
  }

  get filters(): HeatFilters {
    return { categories: this.categories, status: this.status, preset: this.preset, from: this.from, to: this.to };
  }

  /** The filters as query parameters, the same for the tiles and every statistic. */
  get params(): URLSearchParams {
    return filterParams(this.filters, this.groups);
  }

  /** `?…` of the problems tiles (empty without filters). */
  get tileQuery(): string {
    const query = this.params.toString();
    return query ? `?${query}` : '';
  }

  get period(): { from?: string; to?: string } {
    return periodOf(this.filters);
  }

  async loadCatalogue(signal: AbortSignal): Promise<void> {
    if (this.catalogue.length > 0) return;
    const answer = await heatmapApi.categories(signal);
    if (!signal.aborted) this.catalogue = answer.categories;
  }

  /** The choropleth's counts, the communities' (for the ranking), the hot spots and the trend for the current filters (one request each, together). */
  async load(signal: AbortSignal): Promise<void> {
    const params = this.params;
    this.loading = true;
    this.error = null;
    try {
      const level = this.level;
      const [units, communities, hotspots, trend] = await Promise.all([
        heatmapApi.units(level, params, signal),
        level === 'community' ? null : heatmapApi.units('community', params, signal),
        heatmapApi.hotspots(params, HOTSPOTS, signal),
        heatmapApi.trend(trendInterval(this.period), params, signal),
      ]);
      if (signal.aborted) return;
      this.units = units;
      this.communities = communities ?? units;
      this.hotspots = hotspots.hotspots;
      this.hotspotCellM = hotspots.cellM;
      this.trend = trend;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  /** The value the choropleth colours a unit by. */
  valueOf(row: { count: number; densityPerKm2: number }): number {
    return this.metric === 'count' ? row.count : row.densityPerKm2;
  }
}

const HEATMAP_KEY = Symbol('civgrid.heatmap');

export function setHeatmapContext(view: HeatmapView): HeatmapView {
  return setContext(HEATMAP_KEY, view);
}

export function getHeatmapContext(): HeatmapView {
  const view = getContext<HeatmapView | undefined>(HEATMAP_KEY);
  if (!view) throw new Error('getHeatmapContext() called outside <App>');
  return view;
}
