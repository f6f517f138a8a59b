/**
 * The supervisors' figures (GET /api/indicators, GET /api/rankings/communities):
 * their shapes, the period presets, sorting and the CSV download. Pure: the
 * panel and its state use them, the tests beside them check them.
 */

export type IndicatorBy = 'owner' | 'grid' | 'community' | 'street';
export const INDICATOR_BY: readonly IndicatorBy[] = ['owner', 'grid', 'community', 'street'];

/** One unit's or place's figures for a period, as the server counts them. */
export interface IndicatorRow {
  /** The organisation or territory; null for problems with none (not yet routed, outside every grid). */
  id: number | null;
  name: string | null;
  /** Problems whose deadline fell in the period. */
  due: number;
  /** Of those, closed. */
  closed: number;
  /** Of those, closed by their deadline. */
  closedOnTime: number;
  /** Problems closed in the period (whenever due). */
  closedInPeriod: number;
  /** Of those, returned for rework at least once. */
  reworked: number;
  /** Mean hours from dispatch to close of the problems closed in the period. */
  avgHandlingHours: number | null;
  reported: number;
  blindSpots: number;
  disputed: number;
  /** Open problems past their deadline now. */
  overdueOpen: number;
  /** closed ÷ due; null when nothing was due. */
  closureRate: number | null;
  /** closedOnTime ÷ due. */
  onTimeClosureRate: number | null;
  /** reworked ÷ closedInPeriod. */
  reworkRate: number | null;
}

export interface IndicatorAnswer {
  by: IndicatorBy;
  from: string;
  to: string;
  rows: IndicatorRow[];
}

export interface RankingRule {
  periodDays: number;
  size: number;
  minDue: number;
}

export type RankedRow = IndicatorRow & { rank: number; score: number };

export interface Rankings {
  /** Instants: the period runs from `from` up to (not including) `to`. */
  period: { from: string; to: string };
  rule: RankingRule;
  ranked: RankedRow[];
  red: RankedRow[];
  black: RankedRow[];
}

/** Columns of the table, in order; each sorts. */
export const COLUMNS = [
  'name', 'due', 'closed', 'closureRate', 'onTimeClosureRate', 'reworkRate', 'avgHandlingHours', 'blindSpots', 'disputed', 'overdueOpen',
] as const;
export type ColumnKey = (typeof COLUMNS)[number];
export type SortDirection = 'asc' | 'desc';

/** Sorted copy: nulls (no rate, no name) always last, ties by name then id so the order is stable. */
export function sortRows<T extends IndicatorRow>(rows: readonly T[], key: ColumnKey, direction: SortDirection): T[] {
  const sign = direction === 'asc' ? 1 : -1;
  const tie = (a: T, b: T) => (a.name ?? '').localeCompare(b.name ?? '', 'zh-CN') || (a.id ?? Infinity) - (b.id ?? Infinity);
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null && y === null) return tie(a, b);
    if (x === null) return 1;
    if (y === null) return -1;
    const order = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y, 'zh-CN') : Number(x) - Number(y);
    return order === 0 ? tie(a, b) : sign * order;
  });
}

/** Today in China time, `YYYY-MM-DD`. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** A day `n` days after `day` (before, when negative). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the week holding `day`. */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

export type Preset = 'week' | 'month' | 'twoWeeks';
export const PRESETS: readonly Preset[] = ['week', 'month', 'twoWeeks'];

/** 本周 (Monday to today), 本月 (the 1st to today), 近两周 (the 14 days ending today). */
export function presetPeriod(preset: Preset, today: string): { from: string; to: string } {
  if (preset === 'week') return { from: mondayOf(today), to: today };
  if (preset === 'month') return { from: `${today.slice(0, 8)}01`, to: today };
  return { from: addDays(today, -13), to: today };
}

/** The red/black list's default period: the last whole two weeks, Monday to Sunday, before this week. */
export function lastFortnight(today: string, days = 14): string {
  return addDays(mondayOf(today), -days);
}

/** A CSV cell: quoted when needed, and never read by a spreadsheet as a formula. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A rate as a percentage with one decimal (0.875 → 87.5); null stays empty. */
export const percent = (rate: number | null): number | null => (rate === null ? null : Math.round(rate * 1000) / 10);

/**
 * The table as CSV for Excel: a UTF-8 byte-order mark (so Excel reads the
 * Chinese), CRLF line ends, rates in percent. `headers` are the column titles
 * in the interface language; `unnamed` names a row without a unit or place.
 */
export function indicatorsCsv(rows: readonly IndicatorRow[], headers: Record<CsvColumn, string>, unnamed: string): string {
  const lines = [CSV_COLUMNS.map((c) => cell(headers[c])).join(',')];
  for (const r of rows) {
    const values: Record<CsvColumn, string | number | null> = {
      name: r.name ?? unnamed, due: r.due, closed: r.closed, closureRate: percent(r.closureRate), closedOnTime: r.closedOnTime,
      onTimeClosureRate: percent(r.onTimeClosureRate), closedInPeriod: r.closedInPeriod, reworked: r.reworked, reworkRate: percent(r.reworkRate),
      avgHandlingHours: r.avgHandlingHours, reported: r.reported, blindSpots: r.blindSpots, disputed: r.disputed, overdueOpen: r.overdueOpen,
    };
    lines.push(CSV_COLUMNS.map((c) => cell(values[c])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export const CSV_COLUMNS = [
  'name', 'due', 'closed', 'closureRate', 'closedOnTime', 'onTimeClosureRate', 'closedInPeriod', 'reworked', 'reworkRate',
  'avgHandlingHours', 'reported', 'blindSpots', 'disputed', 'overdueOpen',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
