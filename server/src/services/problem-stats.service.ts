import type { HotspotsAnswer, TrendAnswer, UnitStats } from '../contracts/problem-stats.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { filterInstant, type ProblemFilters } from '../repositories/problem-filter.ts';
import { type BBox, HOTSPOT_CELL_M, type ProblemStatsRepository, type StatsLevel, type StatsScope, type TrendInterval } from '../repositories/problem-stats.repository.ts';

/** What a statistics request may narrow to, as it arrives: a territory's code and a box. */
export interface ScopeInput {
  territory?: string | undefined;
  bbox?: BBox | undefined;
}

const DAY_MS = 86_400_000;
/** The trend's period when the request names none (ending now). */
const DEFAULT_SPAN_DAYS: Record<TrendInterval, number> = { day: 30, week: 26 * 7, month: 365 };
/** Most buckets one trend answers: a bar chart of more says nothing more. */
const MAX_BUCKETS: Record<TrendInterval, number> = { day: 400, week: 260, month: 120 };
/** Shortest length of each interval, to count buckets before asking the database. */
const MIN_BUCKET_DAYS: Record<TrendInterval, number> = { day: 1, week: 7, month: 28 };

/**
 * The supervisors' statistics beside the heat map: the choropleth's counts
 * and densities, hot spots and the trend, for the same filters as the
 * heat-map tiles, inside a territory or a box.
 */
export class ProblemStatsService {
  constructor(private readonly stats: ProblemStatsRepository) {}

  private async scope(input: ScopeInput): Promise<StatsScope> {
    let territory: StatsScope['territory'];
    if (input.territory) {
      const found = await this.stats.territory(input.territory);
      if (!found) throw notFound('unknown_territory', `No territory with the code ${input.territory}.`);
      territory = { code: found.code, level: found.level };
    }
    return { territory, bbox: input.bbox };
  }

  private static checkPeriod(f: ProblemFilters): void {
    const from = f.from ? filterInstant(f.from, 'from') : null;
    const to = f.to ? filterInstant(f.to, 'to') : null;
    if (from && to && from >= to) throw badRequest('invalid_period', 'from must be before to (a day given as to is included).');
  }

  async units(level: StatsLevel, f: ProblemFilters, input: ScopeInput): Promise<UnitStats> {
    ProblemStatsService.checkPeriod(f);
    const rows = await this.stats.units(level, f, await this.scope(input));
    const total = rows.reduce((sum, r) => sum + r.count, 0);
    const areaKm2 = rows.reduce((sum, r) => sum + r.areaKm2, 0);
    return { level, total, areaKm2: Math.round(areaKm2 * 1e6) / 1e6, rows };
  }

  async hotspots(f: ProblemFilters, input: ScopeInput, limit: number): Promise<HotspotsAnswer> {
    ProblemStatsService.checkPeriod(f);
    const hotspots = await this.stats.hotspots(f, await this.scope(input), limit);
    // cellM: the side of the square cells a hot spot is made of, so that a reader can tell its extent
    return { hotspots: hotspots.map((h, i) => ({ rank: i + 1, ...h })), cellM: HOTSPOT_CELL_M };
  }

  /**
   * Reported and closed per bucket over the filters' period; without one,
   * the DEFAULT_SPAN_DAYS before now (or before `to`, or from `from` to now).
   */
  async trend(interval: TrendInterval, f: ProblemFilters, input: ScopeInput, now = new Date()): Promise<TrendAnswer> {
    ProblemStatsService.checkPeriod(f);
    const to = f.to ? filterInstant(f.to, 'to')! : now;
    const from = f.from ? filterInstant(f.from, 'from')! : new Date(to.getTime() - DEFAULT_SPAN_DAYS[interval] * DAY_MS);
    if (from >= to) throw badRequest('invalid_period', 'The period is empty: from must be before to.');
    const buckets = (to.getTime() - from.getTime()) / (MIN_BUCKET_DAYS[interval] * DAY_MS);
    if (buckets > MAX_BUCKETS[interval]) {
      throw badRequest('period_too_long', `At most ${MAX_BUCKETS[interval]} buckets of a ${interval}: choose a longer interval or a shorter period.`);
    }
    const rows = await this.stats.trend(interval, f, await this.scope(input), from, to);
    return {
      interval,
      from: from.toISOString(),
      to: to.toISOString(),
      totals: { reported: rows.reduce((s, r) => s + r.reported, 0), closed: rows.reduce((s, r) => s + r.closed, 0) },
      buckets: rows,
    };
  }
}
