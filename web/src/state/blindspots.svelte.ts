import type { Feature, Geometry } from 'geojson';
import { type CoverageQuery, api, coverageUrl } from '../api/client.ts';
import type { CoverageSummaryRow, FindingCollection, FindingProps } from '../api/types.ts';

export type BlindSpotMode = 'cross-tier' | 'duty';
export type Finding = Feature<Geometry, FindingProps>;

/**
 * The blind-spot panel (盲区分析): which analysis, over which area, and what
 * the blind-spot engine found. The map draws `findings`; the list sorts them
 * by area; `focus` is the finding to zoom to.
 */
export class BlindSpots {
  open = $state(false);
  mode = $state<BlindSpotMode>('cross-tier');
  duty = $state('sanitation-town');
  /** `district` or a territory id. */
  area = $state('district');
  result = $state.raw<FindingCollection | null>(null);
  summary = $state.raw<CoverageSummaryRow[]>([]);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  focus = $state.raw<Finding | null>(null);
  /** Grows when zones were written: the analysis runs again. */
  revision = $state(0);

  /** The queries the current choices stand for: a duty's gaps and overlaps, or the cross-tier view. */
  get queries(): CoverageQuery[] {
    if (this.mode === 'cross-tier') return [{ kind: 'cross-tier', area: this.area }];
    return [
      { kind: 'gaps', duty: this.duty, area: this.area },
      { kind: 'overlaps', duty: this.duty, area: this.area },
    ];
  }

  /** Findings sorted by area, largest first. */
  get findings(): Finding[] {
    return [...(this.result?.features ?? [])].sort((a, b) => b.properties.area_m2 - a.properties.area_m2);
  }

  downloads(format: 'geojson' | 'csv'): { kind: string; href: string }[] {
    return this.queries.map((query) => ({ kind: query.kind, href: coverageUrl(query, format) }));
  }

  async run(signal: AbortSignal): Promise<void> {
    this.loading = true;
    this.error = null;
    this.focus = null;
    try {
      const queries = this.queries;
      const [collections, summary] = await Promise.all([
        Promise.all(queries.map((query) => api.coverage(query, signal))),
        api.coverageSummary(this.mode === 'cross-tier' ? 'sanitation-town' : this.duty, signal),
      ]);
      if (signal.aborted) return;
      this.result = {
        type: 'FeatureCollection',
        features: collections.flatMap((c) => c.features),
        area: collections[0]?.area,
      };
      this.summary = summary.rows.filter((row) => row.level === 'street');
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  /** Red for gaps and places nobody covers, purple for overlaps, orange for slivers. */
  static colour(props: FindingProps): string {
    if (props.kind === 'sliver' || props.sliver) return '#f97316';
    return props.kind === 'overlap' || props.kind === 'both' ? '#7c3aed' : '#dc2626';
  }
}
