/**
 * The heat map's filters as the tiles and the statistics read them: pure
 * functions from the panel's choices to query parameters, and the calendar
 * arithmetic of the date presets (days in China time, UTC+8).
 */

export type StatusGroup = 'all' | 'open' | 'closed' | 'overdue';
export type DatePreset = '7d' | '30d' | 'year' | 'all' | 'custom';

/** The statuses of a problem not yet closed (未结案); void ones are neither. */
export const OPEN_STATUSES = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified'] as const;

export interface Category {
  id: string;
  parentId: string | null;
  kind: 'component' | 'event';
  nameZh: string;
  nameEn: string;
  sort: number;
}

export interface CategoryGroup {
  major: Category;
  minors: Category[];
}

export interface HeatFilters {
  /** Minor category ids chosen; empty: every category. */
  categories: readonly string[];
  status: StatusGroup;
  preset: DatePreset;
  /** The custom period's days (`YYYY-MM-DD`), either may be empty. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const CHINA_MS = 8 * 3_600_000;

/** Today's date in China (`YYYY-MM-DD`). */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + CHINA_MS).toISOString().slice(0, 10);
}

/** `day` moved by `days` (`YYYY-MM-DD`). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The period a preset stands for, both days included; `{}` is all time. */
export function periodOf(filters: Pick<HeatFilters, 'preset' | 'from' | 'to'>, now: Date = new Date()): { from?: string; to?: string } {
  const today = chinaToday(now);
  switch (filters.preset) {
    case '7d':
      return { from: addDays(today, -6), to: today };
    case '30d':
      return { from: addDays(today, -29), to: today };
    case 'year':
      return { from: `${today.slice(0, 4)}-01-01`, to: today };
    case 'all':
      return {};
    case 'custom': {
      const out: { from?: string; to?: string } = {};
      if (/^\d{4}-\d{2}-\d{2}$/.test(filters.from)) out.from = filters.from;
      if (/^\d{4}-\d{2}-\d{2}$/.test(filters.to)) out.to = filters.to;
      return out;
    }
  }
}

/** Major classes in their order, each with its minor classes. */
export function categoryGroups(categories: readonly Category[]): CategoryGroup[] {
  const bySort = (a: Category, b: Category) => a.sort - b.sort || a.id.localeCompare(b.id);
  return categories
    .filter((c) => c.parentId === null)
    .sort(bySort)
    .map((major) => ({ major, minors: categories.filter((c) => c.parentId === major.id).sort(bySort) }))
    .filter((group) => group.minors.length > 0);
}

/**
 * The chosen categories as the shortest list the server reads: a major class
 * whose minor classes are all chosen stands for them, and everything chosen
 * is no filter at all.
 */
export function compactCategories(chosen: readonly string[], groups: readonly CategoryGroup[]): string[] {
  const set = new Set(chosen);
  if (set.size === 0) return [];
  const out: string[] = [];
  let all = true;
  for (const { major, minors } of groups) {
    const picked = minors.filter((m) => set.has(m.id));
    if (picked.length === minors.length) out.push(major.id);
    else {
      all = false;
      out.push(...picked.map((m) => m.id));
    }
  }
  return all ? [] : out;
}

/** The filters as query parameters of the problems tiles and the statistics (same names, same meaning). */
export function filterParams(filters: HeatFilters, groups: readonly CategoryGroup[], now: Date = new Date()): URLSearchParams {
  const params = new URLSearchParams();
  const categories = compactCategories(filters.categories, groups);
  if (categories.length > 0) params.set('category', categories.join(','));
  if (filters.status === 'open') params.set('status', OPEN_STATUSES.join(','));
  if (filters.status === 'closed') params.set('status', 'closed');
  if (filters.status === 'overdue') params.set('overdue', 'true');
  const period = periodOf(filters, now);
  if (period.from) params.set('from', period.from);
  if (period.to) params.set('to', period.to);
  return params;
}

/** The trend's buckets for a period: days up to a month, weeks up to a year and a bit, months beyond (or for all time). */
export function trendInterval(period: { from?: string; to?: string }, now: Date = new Date()): 'day' | 'week' | 'month' {
  if (!period.from) return 'month';
  const days = (Date.parse(`${period.to ?? chinaToday(now)}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`)) / DAY_MS + 1;
  if (days <= 31) return 'day';
  if (days <= 400) return 'week';
  return 'month';
}
