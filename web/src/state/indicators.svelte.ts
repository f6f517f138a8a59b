import { request } from '../api/client.ts';
import {
  type ColumnKey, chinaToday, type IndicatorAnswer, type IndicatorBy, lastFortnight, type Preset, presetPeriod, type Rankings, sortRows,
  type SortDirection,
} from '../components/indicators/indicators.ts';

export type IndicatorTab = 'indicators' | 'rankings';

/**
 * 考核指标 (supervisors, admins): the indicators of a period by unit or place,
 * sorted as asked, and the red/black list (红黑榜) of communities for a
 * fortnight. The choices outlive the panel being closed.
 */
export class IndicatorBoard {
  tab = $state<IndicatorTab>('indicators');
  by = $state<IndicatorBy>('street');
  from = $state(presetPeriod('month', chinaToday()).from);
  to = $state(chinaToday());
  /** The preset the period came from, while it is unchanged. */
  preset = $state<Preset | null>('month');
  sortKey = $state<ColumnKey>('due');
  sortDirection = $state<SortDirection>('desc');

  answer = $state.raw<IndicatorAnswer | null>(null);
  loading = $state(false);
  error = $state.raw<unknown>(null);

  /** First day of the red/black list's period. */
  period = $state(lastFortnight(chinaToday()));
  rankings = $state.raw<Rankings | null>(null);
  rankingsLoading = $state(false);
  rankingsError = $state.raw<unknown>(null);

  get rows() {
    return this.answer ? sortRows(this.answer.rows, this.sortKey, this.sortDirection) : [];
  }

  /** The period is usable: two days, the first not after the second. */
  get periodValid(): boolean {
    return /^\d{4}-\d{2}-\d{2}$/.test(this.from) && /^\d{4}-\d{2}-\d{2}$/.test(this.to) && this.from <= this.to;
  }

  usePreset(preset: Preset): void {
    const { from, to } = presetPeriod(preset, chinaToday());
    this.from = from;
    this.to = to;
    this.preset = preset;
  }

  /** A click on a column title: sort by it, or turn the direction round when it already sorts. */
  sortBy(key: ColumnKey): void {
    if (this.sortKey === key) this.sortDirection = this.sortDirection === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      this.sortDirection = key === 'name' ? 'asc' : 'desc';
    }
  }

  async load(signal: AbortSignal): Promise<void> {
    if (!this.periodValid) return;
    this.loading = true;
    this.error = null;
    const params = new URLSearchParams({ by: this.by, from: this.from, to: this.to });
    try {
      const answer = await request<IndicatorAnswer>(`/api/indicators?${params}`, { signal });
      if (!signal.aborted) this.answer = answer;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  async loadRankings(signal: AbortSignal): Promise<void> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(this.period)) return;
    this.rankingsLoading = true;
    this.rankingsError = null;
    try {
      const rankings = await request<Rankings>(`/api/rankings/communities?period=${this.period}`, { signal });
      if (!signal.aborted) this.rankings = rankings;
    } catch (error) {
      if (!signal.aborted) this.rankingsError = error;
    } finally {
      if (!signal.aborted) this.rankingsLoading = false;
    }
  }
}
